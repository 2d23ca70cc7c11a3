/* SPDX-License-Identifier: GPL-2.0-only */
/* What every program shares: the ring, the per-CPU scratch a record is built
 * in, the per-CPU drop counters, the calls in flight between a syscall's
 * enter and exit, and the task context every record starts with.
 */
#ifndef GUARD_KERN_COMMON_BPF_H
#define GUARD_KERN_COMMON_BPF_H

#include "bpf_defs.h"
#include "kernel_types.h"
#include "tracepoints.h"
#include "../abi/guard_abi.h"

/* The agent's own pid, set by the loader before load (read-only data, so the
 * verifier sees a constant). Its own syscalls make no records: writing its
 * output must not feed its input. 0: exclude nothing. */
const volatile __u32 guard_agent_tgid = 0;

/* Wake the agent only once this many bytes wait in the ring (0: the ring's
 * own rule, a wakeup whenever the agent has caught up). Each wakeup is an
 * interrupt and a cross-CPU wakeup, which costs more than the record; the
 * agent polls on a short timer for the rest (cli/agent.cpp). */
const volatile __u64 guard_wakeup_bytes = 0;

static __always_inline int is_agent(void)
{
	return guard_agent_tgid && (bpf_get_current_pid_tgid() >> 32) == guard_agent_tgid;
}

/* The record is built in the lower half; the upper half is room for work
 * on the side (kern/path.bpf.h assembles a directory's path there). */
#define GUARD_SCRATCH_SIZE (2 * GUARD_RECORD_MAX)

/* The ring all records go through. Userspace sets its size before load
 * (guard --ring-pages); this is the default, 4 MiB. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* A record is built here, then copied into the ring at its real size: the
 * ring's reserve needs a size known at verification time, output does not. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[GUARD_SCRATCH_SIZE]);
} scratch SEC(".maps");

/* Records lost because the ring was full, by record kind. Per CPU so that
 * counting costs no shared cache line; userspace sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GUARD_RECORD_KIND_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* A syscall's arguments, kept from its enter tracepoint to its exit, where
 * the result is known. A thread is in one syscall at a time, so one slot per
 * thread serves every syscall; `syscall_nr` and `kind` say whose entry it is. */
struct pending_call {
	__s32 syscall_nr; /* the syscall that entered (its number on this architecture) */
	__u16 kind;     /* the GUARD_RECORD_* the exit will write */
	__u16 flags;    /* GUARD_* record flags known at enter (GUARD_EXEC_EXECVEAT) */
	__u32 open_flags; /* open: O_*; execveat, unlinkat, fchownat, ...: AT_* */
	__s32 dfd;      /* the directory `path` is relative to (AT_FDCWD: the cwd); net: the socket */
	__s32 dfd2;     /* ... of path2 */
	__u64 path;     /* user pointer; net: the struct sockaddr */
	__u64 path2;    /* user pointer; exec: argv; accept: the int *addrlen */
	__u32 mode;     /* open, chmod */
	__u32 owner_uid;
	__u32 owner_gid;
	__u32 len;      /* net: addrlen; listen: backlog */
	__u64 clone_flags;
};

/* Task-local storage: one pending_call hangs off each thread's task_struct,
 * made on the thread's first traced syscall and freed with the thread. A
 * lookup is a pointer chase in the task, no hashing and no lock, and nothing
 * is left behind by a thread that dies inside a syscall. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_call);
} pending SEC(".maps");

static void *(*bpf_task_storage_get)(void *map, struct task_struct *task, void *value, __u64 flags) =
	(void *)BPF_FUNC_task_storage_get;

/* At a syscall's enter: keep its arguments for the exit. */
static __always_inline void remember_call(struct syscall_enter_entry *ctx, struct pending_call *call)
{
	if (is_agent())
		return;
	call->syscall_nr = ctx->syscall_nr;
	struct pending_call *slot =
		bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (slot)
		*slot = *call;
}

/* The thread's slot, if it has one; taking it copies it out and marks it
 * used (kind 0), so that no later event takes it again. */
static __always_inline struct pending_call *pending_slot(void)
{
	return bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
}

static __always_inline int take_slot(struct pending_call *slot, struct pending_call *out)
{
	*out = *slot;
	slot->kind = 0;
	return 1;
}

/* At a sched tracepoint: the arguments kept at the enter of the syscall
 * that led there, if they are for a record of this kind. */
static __always_inline int take_call(__u16 kind, struct pending_call *out)
{
	struct pending_call *slot = pending_slot();
	return slot && slot->kind == kind ? take_slot(slot, out) : 0;
}

/* At a syscall's exit: the arguments its own enter kept. One exit program
 * serves several syscalls, so the entry must be this syscall's. */
static __always_inline int take_syscall(struct syscall_exit_entry *ctx, struct pending_call *out)
{
	struct pending_call *slot = pending_slot();
	return slot && slot->kind && slot->syscall_nr == ctx->syscall_nr ? take_slot(slot, out) : 0;
}

/* The per-CPU record buffer. Programs run with migration disabled and the
 * kernel runs one tracing program per CPU at a time, so it is never shared. */
static __always_inline void *scratch_record(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void fill_header(struct guard_header *h, __u16 kind)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();
	struct task_struct *task = current_task_readonly();
	struct nsproxy *ns = task->nsproxy;

	h->kind = kind;
	h->version = GUARD_ABI_VERSION;
	h->flags = 0;
	h->boot_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->ppid = task->real_parent->tgid;
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	h->euid = task->cred->euid.val;
	/* nsproxy is NULL only in a task's last moments; loads through a
	 * typed pointer then read 0 rather than fault. */
	h->mnt_ns = ns->mnt_ns->ns.inum;
	/* The namespace the task's children get: its own, except between an
	 * unshare(CLONE_NEWPID) and the next fork. */
	h->pid_ns = ns->pid_ns_for_children->ns.inum;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline void count_drop(__u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &kind);
	if (n)
		__sync_fetch_and_add(n, 1);
}

/* Copies the record into the ring at its real size; counts it when the ring
 * is full. Sizes are masked so the verifier sees them inside the scratch. */
static __u64 (*bpf_ringbuf_query)(void *ringbuf, __u64 flags) = (void *)BPF_FUNC_ringbuf_query;

static __always_inline void submit(struct guard_header *h, __u32 size)
{
	size &= GUARD_RECORD_MAX - 1;
	h->size = size;
	__u64 flags = 0;
	if (guard_wakeup_bytes) {
		/* One wakeup as the backlog crosses the threshold, not one per
		 * record above it: the agent drains everything once awake. */
		__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
		flags = waiting < guard_wakeup_bytes && waiting + size >= guard_wakeup_bytes ? BPF_RB_FORCE_WAKEUP
											     : BPF_RB_NO_WAKEUP;
	}
	if (bpf_ringbuf_output(&events, h, size, flags) != 0)
		count_drop(h->kind);
}

/* Offsets into a record are masked with this before use: the verifier then
 * knows that offset + GUARD_PATH_MAX stays inside the scratch record. */
#define GUARD_OFFSET_MASK (2 * GUARD_PATH_MAX - 1)

/* Where a loop keeps its progress, and where forget_offset() parks a
 * number: the scratch's upper half, past the area kern/path.bpf.h uses. */
#define GUARD_SCRATCH_CURSOR (GUARD_RECORD_MAX + GUARD_PATH_MAX)
#define GUARD_SCRATCH_PARKED (GUARD_SCRATCH_CURSOR + 8)

/* The same offset, with nothing known about it but what masking tells. The
 * verifier tracks a register's range and, once it bounds a pointer, treats
 * states with different ranges as different: after a step that can end in
 * several ways (a path copied as given, or resolved, or truncated), every way
 * would be verified again through all the code that follows. A value read
 * back from memory is just "some number", so those ways become one. */
static __always_inline __u32 forget_offset(void *scratch, __u32 offset)
{
	volatile __u32 *parked = (volatile __u32 *)((char *)scratch + GUARD_SCRATCH_PARKED);
	*parked = offset;
	return *parked;
}

/* Copies a NUL-terminated user string into the record at offset (at most
 * max bytes, NUL included) and points s at it. An unreadable string is
 * stored as "". Returns the offset just past the NUL. */
static __always_inline __u32 put_user_string(void *rec, __u32 offset, const void *src, __u32 max,
					     struct guard_string *s)
{
	char *dst = (char *)rec + (offset & GUARD_OFFSET_MASK);
	long n = bpf_probe_read_user_str(dst, max & (GUARD_PATH_MAX * 2 - 1), src);
	if (n < 1) {
		dst[0] = 0;
		n = 1;
	}
	s->offset = offset;
	s->length = n - 1;
	return offset + n;
}

/* An empty string at offset: nothing written, so nothing to copy. */
static __always_inline void put_empty_string(__u32 offset, struct guard_string *s)
{
	s->offset = offset;
	s->length = 0;
}

#endif
