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

/* The destinations a send names, each in a place of its own in the
 * slot's strings: one for sendto and sendmsg, up to GUARD_SEND_MESSAGES for
 * sendmmsg (its first messages'). A place holds the sockaddr's first
 * GUARD_SEND_PLACE - 1 bytes (a sockaddr_in6 is 28) and, in its last byte,
 * the index of the message it came from. */
#define GUARD_SEND_MESSAGES 8
#define GUARD_SEND_PLACE 32
_Static_assert(GUARD_SEND_MESSAGES * GUARD_SEND_PLACE <= GUARD_PENDING_STRINGS, "the places fit the strings");

static __always_inline char *send_place(struct pending_call *slot, __u32 i)
{
	return slot->strings + (i & (GUARD_SEND_MESSAGES - 1)) * GUARD_SEND_PLACE;
}

/* Copies message `message`'s destination (len bytes at addr, the caller's)
 * into the slot's next place. */
static __always_inline void keep_destination(struct pending_call *slot, __u64 addr, __u64 len, __u32 message)
{
	if (slot->net.destinations >= GUARD_SEND_MESSAGES)
		return;
	char *place = send_place(slot, slot->net.destinations);
	__u64 n = len > GUARD_SEND_PLACE - 1 ? GUARD_SEND_PLACE - 1 : len;
	if (n < 2 || bpf_probe_read_user(place, n & (GUARD_SEND_PLACE - 1), (const void *)addr) != 0)
		place[0] = place[1] = 0; /* no family: no record */
	place[GUARD_SEND_PLACE - 1] = message;
	slot->net.destinations++;
}

/* Writes the record of the send to the destination in place i, with the
 * result, unless that destination had one within the window. A global
 * function: verified once, not once for each place. */
__noinline int put_send_record(struct guard_scratch *scratch, struct pending_call *slot, __u32 i, long ret)
{
	if (!scratch || !slot)
		return 0;
	struct guard_net *rec = (struct guard_net *)scratch;
	struct sockaddr_copy given = {};
	bpf_probe_read_kernel(given.bytes, GUARD_SEND_PLACE - 1, send_place(slot, i));
	given.len = GUARD_SEND_PLACE - 1;
	if (given.family != GUARD_AF_INET && given.family != GUARD_AF_INET6)
		return 0;
	rec->result = ret;
	__u32 end = put_address(scratch, sizeof(*rec), &given, 0);
	if (!end || net_filtered(rec))
		return 0;
	rec->count = send_count(rec);
	if (!rec->count)
		return 0;
	rec->header.flags |= GUARD_NET_ADDR_FROM_USER;
	put_no_address(rec, 1);
	put_empty_string(end, &rec->given_unix_path);
	submit(&rec->header, end);
	return 0;
}

/* bpf_loop's state over a send's destinations. */
struct send_loop {
	struct guard_net *rec;
	struct pending_call *slot;
	long ret;
	__u16 flags;
};

static long send_step(__u64 i, struct send_loop *c)
{
	struct pending_call *slot = c->slot;
	if (i >= slot->net.destinations)
		return 1;
	long result = c->ret;
	if (slot->net.messages) {
		__u32 message = send_place(slot, i)[GUARD_SEND_PLACE - 1];
		if (c->ret < 0 ? message != 0 : message >= c->ret)
			return 0;
		result = c->ret < 0 ? c->ret : 0;
	}
	c->rec->header.flags = c->flags;
	put_send_record((struct guard_scratch *)c->rec, slot, i, result);
	return 0;
}

/* Writes a send's records, its header filled: one per destination kept.
 * sendmmsg returns how many messages went out (an error only when the
 * first failed): a destination is reported when its message went, or with
 * the error when it was the first; its result is then 0, not a byte count.
 * The syscalls' exit and io_uring's completion both end here. */
static __always_inline void put_send_records(struct guard_net *rec, struct pending_call *slot, long ret)
{
	if (slot->net.destinations == 1 && slot->net.addr && send_place(slot, 0)[0] == 0 && send_place(slot, 0)[1] == 0) {
		/* Not read at enter (its page was not in memory then): now. */
		slot->net.destinations = 0;
		keep_destination(slot, slot->net.addr, slot->net.addrlen, 0);
		rec->header.flags |= GUARD_NET_READ_AT_EXIT;
	}
	/* bpf_loop: the verifier checks one step, whatever the count. */
	struct send_loop c = {rec, slot, ret, rec->header.flags};
	bpf_loop(GUARD_SEND_MESSAGES, send_step, &c, 0);
}

/* At enter: the send's slot, for its destinations. */
static __always_inline struct pending_call *remember_send(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = begin_call(ctx, GUARD_RECORD_NET_SEND);
	if (slot)
		slot->net.fd = ctx->args[0];
	return slot;
}

/* sendto(fd, buf, len, flags, addr, addrlen): addr is the destination. */
SEC("tracepoint/syscalls/sys_enter_sendto")
int net_sendto_enter(struct syscall_enter_entry *ctx)
{
	if (!ctx->args[4])
		return 0;
	struct pending_call *slot = remember_send(ctx);
	if (!slot)
		return 0;
	slot->net.addr = ctx->args[4];
	slot->net.addrlen = ctx->args[5];
	keep_destination(slot, ctx->args[4], ctx->args[5], 0);
	return 0;
}

/* The start of struct user_msghdr: where its destination is. A struct
 * mmsghdr starts with one, GUARD_MMSGHDR_SIZE bytes apart in the vector. */
struct guard_user_msghdr {
	__u64 name;
	__u32 namelen;
};
#define GUARD_MMSGHDR_SIZE 64

/* sendmsg(fd, msg, flags) */
SEC("tracepoint/syscalls/sys_enter_sendmsg")
int net_sendmsg_enter(struct syscall_enter_entry *ctx)
{
	struct guard_user_msghdr msg = {};
	if (is_agent() || bpf_probe_read_user(&msg, sizeof(msg), (const void *)ctx->args[1]) != 0 || !msg.name)
		return 0;
	struct pending_call *slot = remember_send(ctx);
	if (!slot)
		return 0;
	slot->net.addr = msg.name;
	slot->net.addrlen = msg.namelen;
	keep_destination(slot, msg.name, msg.namelen, 0);
	return 0;
}

/* sendmmsg(fd, msgvec, vlen, flags): the destinations of its first
 * GUARD_SEND_MESSAGES messages, each one's own (a vector may mix them). */
SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int net_sendmmsg_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = remember_send(ctx);
	if (!slot)
		return 0;
	__u32 vlen = ctx->args[2];
	slot->net.messages = vlen;
	for (__u32 m = 0; m < GUARD_SEND_MESSAGES && m < vlen; m++) {
		struct guard_user_msghdr msg = {};
		if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)(ctx->args[1] + m * GUARD_MMSGHDR_SIZE)) == 0 &&
		    msg.name)
			keep_destination(slot, msg.name, msg.namelen, m);
	}
	if (!slot->net.destinations)
		slot->kind = 0; /* no destination: nothing to report at exit */
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
	put_send_records(rec, slot, ctx->ret);
	return 0;
}

#endif
