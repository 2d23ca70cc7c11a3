/* SPDX-License-Identifier: GPL-2.0-only */
/* Enforcement: the kill rules, checked where the kernel has just acted.
 *
 * A rule with "action": "kill" whose conditions the kernel can check (the
 * identity of the file a process runs or opens, the address it connects to:
 * docs/rules.md) is compiled by the agent into the tables below. Where a
 * record is written, a match sends the task SIGKILL (bpf_send_signal) and
 * flags the record GUARD_KILLED:
 * - exec: at sched_process_exec, in the new program before its first
 *   instruction (the tracepoint fires in the new task before it returns to
 *   user space, where the signal is delivered);
 * - open, connect: at the syscall's exit, before it returns to user space,
 *   so the caller never uses the fd (a read, a write on the socket).
 * Armed only by guard --enforce (guard_enforce, set before load: without it
 * the verifier drops every lookup). Never pid 1, a kernel thread, an
 * io_uring request (its record may be written on a worker's behalf) or the
 * agent itself.
 */
#ifndef GUARD_KERN_ENFORCE_BPF_H
#define GUARD_KERN_ENFORCE_BPF_H

#include "common.bpf.h"

#define GUARD_SIGKILL 9
#define GUARD_PF_KTHREAD 0x00200000 /* include/linux/sched.h */

static long (*bpf_send_signal)(__u32 sig) = (void *)BPF_FUNC_send_signal;

const volatile __u32 guard_enforce = 0;

/* The state word (abi/guard_abi.h): the active generation and the tables
 * that have entries in it. Written last by the agent, after the entries. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} kill_state SEC(".maps");

/* Exec and open: the files' identities, both generations. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * GUARD_KILL_FILES_MAX);
	__type(key, struct guard_kill_file_key);
	__type(value, __u32);
} kill_files SEC(".maps");

/* Connect: the destination prefixes, both generations. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * GUARD_KILL_CIDRS_MAX);
	__type(key, struct guard_kill_v4_key);
	__type(value, __u32);
} kill_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * GUARD_KILL_CIDRS_MAX);
	__type(key, struct guard_kill_v6_key);
	__type(value, __u32);
} kill_v6 SEC(".maps");

/* The state word when the table for `kind` is armed and has entries, else 0. */
static __always_inline __u32 kill_state_for(struct guard_header *h, __u32 kind)
{
	if (!guard_enforce || (h->flags & GUARD_VIA_IO_URING))
		return 0;
	__u32 zero = 0;
	__u32 *state = bpf_map_lookup_elem(&kill_state, &zero);
	if (!state || !(*state & kind))
		return 0;
	return *state;
}

static __always_inline void kill_current(struct guard_header *h)
{
	struct task_struct *task = current_task_readonly();
	if (task->tgid == 1 || (task->flags & GUARD_PF_KTHREAD) || is_agent())
		return;
	if (bpf_send_signal(GUARD_SIGKILL) == 0)
		h->flags |= GUARD_KILLED;
}

/* Exec (GUARD_KILL_EXEC) or open (GUARD_KILL_OPEN) of the file (dev, ino). */
static __always_inline void enforce_file(struct guard_header *h, __u32 kind, __u32 dev, __u64 ino)
{
	__u32 state = kill_state_for(h, kind);
	if (!state || !ino)
		return;
	struct guard_kill_file_key key = {state >> 31, kind, dev, ino};
	if (bpf_map_lookup_elem(&kill_files, &key))
		kill_current(h);
}

/* Whether the address (GUARD_AF_INET's 4 bytes or GUARD_AF_INET6's 16) lies
 * in one of the active generation's prefixes. */
static __always_inline int address_in_kill_table(__u32 generation, __u16 family, const __u8 *addr)
{
	if (family == 2) {
		struct guard_kill_v4_key k4 = {64, generation};
		__builtin_memcpy(k4.addr, addr, 4);
		return bpf_map_lookup_elem(&kill_v4, &k4) != 0;
	}
	if (family == 10) {
		struct guard_kill_v6_key k6 = {160, generation};
		__builtin_memcpy(k6.addr, addr, 16);
		return bpf_map_lookup_elem(&kill_v6, &k6) != 0;
	}
	return 0;
}

/* A connect to the record's address, or to the one the caller gave when
 * the two differ (a raced sockaddr): a failed connect is killed too, its
 * address being the caller's. */
static __always_inline void enforce_connect(struct guard_net *rec)
{
	__u32 state = kill_state_for(&rec->header, GUARD_KILL_CONNECT);
	if (!state)
		return;
	__u32 generation = state >> 31;
	if (address_in_kill_table(generation, rec->family, rec->addr) ||
	    ((rec->header.flags & GUARD_NET_RACED) && address_in_kill_table(generation, rec->given_family, rec->given_addr)))
		kill_current(&rec->header);
}

#endif
