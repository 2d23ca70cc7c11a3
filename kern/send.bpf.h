/* SPDX-License-Identifier: GPL-2.0-only */
/* Sends to an address: sendto, sendmsg and sendmmsg given a destination,
 * as on an unconnected UDP or ICMP socket. A datagram needs no connect, so
 * without these a process could reach any host unseen.
 *
 * The destination is the caller's (GUARD_NET_ADDR_FROM_USER): the kernel
 * copies it onto its own stack for the one call and keeps it nowhere a
 * tracepoint can read, so it is copied at enter (through io_uring, from the
 * kernel's own copy). Only inet destinations make
 * records (a unix datagram is local). A busy client (DNS, a game, QUIC)
 * sends to the same place thousands of times a second: one record per
 * (process, destination, success or failure) per GUARD_SEND_WINDOW_NS, with
 * the count of sends it stands for. A send on a connected socket passes no
 * address: its connect was reported.
 */
#ifndef GUARD_KERN_SEND_BPF_H
#define GUARD_KERN_SEND_BPF_H

#include "net.bpf.h"

#define GUARD_SEND_WINDOW_NS (10ull * 1000000000ull)

struct send_destination {
	__u32 tgid;
	__u16 family;
	__u16 port;
	__u8 addr[16];
	__u32 failed;
};

struct send_window {
	__u64 start_ns;  /* when the last record for this destination was written */
	__u32 suppressed; /* sends since then that wrote none */
	__u32 reserved;
};

/* An LRU map: a destination not sent to for long is forgotten first, and a
 * forgotten one just makes its next send a record again. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct send_destination);
	__type(value, struct send_window);
} send_windows SEC(".maps");

/* The count of sends the record for this one stands for (this one
 * included), or 0 when a record for its destination was written less than
 * GUARD_SEND_WINDOW_NS ago (this send is then counted for the next one). */
static __always_inline __u32 send_count(struct guard_net *rec)
{
	struct send_destination key = {};
	key.tgid = rec->header.pid;
	key.family = rec->family;
	key.port = rec->port;
	__builtin_memcpy(key.addr, rec->addr, 16);
	key.failed = rec->result < 0;
	__u64 now = rec->header.boot_ns;
	struct send_window *w = bpf_map_lookup_elem(&send_windows, &key);
	if (w && now - w->start_ns < GUARD_SEND_WINDOW_NS) {
		__sync_fetch_and_add(&w->suppressed, 1);
		return 0;
	}
	struct send_window fresh = {now, 0, 0};
	__u32 count = w ? w->suppressed + 1 : 1;
	bpf_map_update_elem(&send_windows, &key, &fresh, BPF_ANY);
	return count;
}

/* Writes the record of a send whose header is filled, from the sockaddr
 * kept in slot, unless its destination had one within the window. The
 * syscalls' exit and io_uring's completion both end here. */
static __always_inline void put_send_record(struct guard_net *rec, struct pending_call *slot, long ret)
{
	if (!slot->path_len && slot->upath) {
		keep_sockaddr(slot);
		if (slot->path_len)
			rec->header.flags |= GUARD_NET_READ_AT_EXIT;
	}
	struct sockaddr_copy given = {};
	__u32 n = slot->path_len;
	if (n > GUARD_SOCKADDR_MAX)
		n = GUARD_SOCKADDR_MAX;
	bpf_probe_read_kernel(given.bytes, n, slot->strings);
	given.len = n;
	if (given.family != GUARD_AF_INET && given.family != GUARD_AF_INET6)
		return;
	rec->result = ret;
	__u32 end = put_address((struct guard_scratch *)rec, sizeof(*rec), &given, 0);
	if (!end)
		return;
	rec->count = send_count(rec);
	if (!rec->count)
		return;
	rec->header.flags |= GUARD_NET_ADDR_FROM_USER;
	put_no_address(rec, 1);
	put_empty_string(end, &rec->given_unix_path);
	submit(&rec->header, end);
}

/* At enter: a send's destination, when it has one. */
static __always_inline void remember_send(struct syscall_enter_entry *ctx, __u64 addr, __u32 len)
{
	if (!addr || len < 2)
		return;
	remember_net_call(ctx, GUARD_RECORD_NET_SEND, ctx->args[0], (const void *)addr, len);
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
SEC("tracepoint/syscalls/sys_enter_sendto")
int net_sendto_enter(struct syscall_enter_entry *ctx)
{
	remember_send(ctx, ctx->args[4], ctx->args[5]);
	return 0;
}

/* The start of struct user_msghdr: where its destination is. */
struct guard_user_msghdr {
	__u64 name;
	__u32 namelen;
};

/* sendmsg(fd, msg, flags), sendmmsg(fd, msgvec, vlen, flags): the first
 * message's destination (a struct mmsghdr starts with its msghdr). */
SEC("tracepoint/syscalls/sys_enter_sendmsg,sys_enter_sendmmsg")
int net_sendmsg_enter(struct syscall_enter_entry *ctx)
{
	struct guard_user_msghdr msg = {};
	if (is_agent() || bpf_probe_read_user(&msg, sizeof(msg), (const void *)ctx->args[1]) != 0)
		return 0;
	remember_send(ctx, msg.name, msg.namelen);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto,sys_exit_sendmsg,sys_exit_sendmmsg")
int net_send_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot || kind != GUARD_RECORD_NET_SEND)
		return 0;
	struct guard_net *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, kind);
	put_send_record(rec, slot, ctx->ret);
	return 0;
}

#endif
