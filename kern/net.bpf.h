/* SPDX-License-Identifier: GPL-2.0-only */
/* Network events: connect, bind, listen, accept and accept4.
 *
 * As for files, the enter keeps the arguments and the exit writes the record
 * with the result. The address reported is the socket's own after the call,
 * read from struct sock: connect's peer, bind's and listen's local address,
 * the peer of the socket accept made. The sockaddr a connect or bind was
 * given is copied at enter (the caller could rewrite it from another thread
 * once the kernel has its copy); it is reported only when the socket holds
 * no address (the call failed before the kernel stored one), flagged as the
 * caller's, or beside the socket's when the two differ: a raced argument.
 * Only AF_INET, AF_INET6 and AF_UNIX addresses make records.
 */
#ifndef GUARD_KERN_NET_BPF_H
#define GUARD_KERN_NET_BPF_H

#include <linux/errno.h>

#include "common.bpf.h"
#include "enforce.bpf.h"
#include "prefilter.bpf.h"
#include "path.bpf.h"

/* From linux/socket.h's kernel side (userspace gets them from libc). */
#define GUARD_AF_UNIX 1
#define GUARD_AF_INET 2
#define GUARD_AF_INET6 10

/* The largest sockaddr guard reads: struct sockaddr_un. */
#define GUARD_SOCKADDR_MAX 110
#define GUARD_UNIX_PATH_MAX 108

/* struct sockaddr_in / sockaddr_in6, as the kernel's UAPI lays them out. */
struct guard_sockaddr_in {
	__u16 family;
	__be16 port;
	__u8 addr[4];
};

struct guard_sockaddr_in6 {
	__u16 family;
	__be16 port;
	__u32 flowinfo;
	__u8 addr[16];
	__u32 scope_id;
};

/* Copies the caller's sockaddr (slot->net.addrlen bytes at slot->net.addr) into the
 * slot's strings; path_len says how many bytes it holds (0: unreadable). */
static __always_inline void keep_sockaddr(struct pending_call *slot)
{
	__u32 len = slot->net.addrlen;
	if (len > GUARD_SOCKADDR_MAX)
		len = GUARD_SOCKADDR_MAX;
	if (len < 2 || bpf_probe_read_user(slot->strings, len, (const void *)slot->net.addr) != 0)
		len = 0;
	slot->path_len = len;
}

/* At enter: the socket, and for connect and bind the sockaddr (len bytes
 * of the caller's memory), kept in the slot's strings. */
static __always_inline void remember_net_call(struct syscall_enter_entry *ctx, __u16 kind, __s32 fd,
					      const void *addr, __u32 len)
{
	struct pending_call *slot = begin_call(ctx, kind);
	if (!slot)
		return;
	slot->net.fd = fd;
	slot->net.addrlen = len;
	slot->net.addr = (__u64)addr;
	if (addr)
		keep_sockaddr(slot);
}

/* ::ffff:a.b.c.d is an IPv4 peer reached through an IPv6 socket. */
static __always_inline int is_v4_mapped(const __u8 *a)
{
	__u64 lo;
	__u32 mid;
	__builtin_memcpy(&lo, a, 8);
	__builtin_memcpy(&mid, a + 8, 4);
	return lo == 0 && mid == __builtin_bswap32(0xffff) ? 1 : 0;
}

/* A struct sockaddr copied onto the stack, whoever's memory it came from. */
struct sockaddr_copy {
	union {
		__u16 family;
		struct guard_sockaddr_in in;
		struct guard_sockaddr_in6 in6;
		char bytes[GUARD_SOCKADDR_MAX];
	};
	__u32 len; /* bytes that are the address */
};

/* Where put_address writes: the record's own address fields, or the
 * given_* ones beside them. */
struct address_fields {
	__u16 *family;
	__u16 *port;
	__u8 *addr;
	struct guard_string *unix_path;
	__u16 truncated_flag;
};

static __always_inline struct address_fields address_fields(struct guard_net *rec, int given)
{
	struct address_fields f;
	f.family = given ? &rec->given_family : &rec->family;
	f.port = given ? &rec->given_port : &rec->port;
	f.addr = given ? rec->given_addr : rec->addr;
	f.unix_path = given ? &rec->given_unix_path : &rec->unix_path;
	f.truncated_flag = given ? GUARD_NET_GIVEN_UNIX_PATH_TRUNCATED : GUARD_NET_UNIX_PATH_TRUNCATED;
	return f;
}

/* Fills one set of address fields from a sockaddr; a unix path goes into
 * the record at end. Returns the offset past it, or 0 when the family is
 * not one guard reports. A global function (see put_kernel_path): verified
 * once, for every caller. */
__noinline int put_address(struct guard_scratch *scratch, __u32 end, struct sockaddr_copy *sa, __u32 given)
{
	if (!scratch || !sa)
		return 0;
	struct guard_net *rec = (struct guard_net *)scratch;
	struct address_fields f = address_fields(rec, given);
	__u16 family = sa->family;
	*f.family = family;
	__builtin_memset(f.addr, 0, 16);
	*f.port = 0;
	put_empty_string(end, f.unix_path);

	if (family == GUARD_AF_INET) {
		*f.port = __builtin_bswap16(sa->in.port);
		__builtin_memcpy(f.addr, sa->in.addr, 4);
	} else if (family == GUARD_AF_INET6) {
		*f.port = __builtin_bswap16(sa->in6.port);
		if (is_v4_mapped(sa->in6.addr)) {
			*f.family = GUARD_AF_INET;
			__builtin_memcpy(f.addr, sa->in6.addr + 12, 4);
		} else {
			__builtin_memcpy(f.addr, sa->in6.addr, 16);
		}
	} else if (family == GUARD_AF_UNIX) {
		/* sun_path follows the family. A pathname socket's path ends at
		 * its NUL; an abstract one starts with NUL and is exactly
		 * len - 2 bytes long, shown with a leading '@'. */
		char *path = (char *)rec + (end & GUARD_OFFSET_MASK);
		__u32 n = sa->len > 2 ? sa->len - 2 : 0;
		if (n > GUARD_UNIX_PATH_MAX)
			n = GUARD_UNIX_PATH_MAX;
		if (n == 0)
			return end;
		__u32 length = n;
		if (sa->bytes[2] == 0) {
			bpf_probe_read_kernel(path, n & 0x7f, sa->bytes + 2);
			path[0] = '@';
		} else {
			/* Up to the first NUL, at most n bytes: the _str helper
			 * finds the end in one call, where a loop would cost the
			 * verifier a pass per byte. */
			long copied = bpf_probe_read_kernel_str(path, (n + 1) & 0x7f, sa->bytes + 2);
			length = copied > 0 ? copied - 1 : 0;
		}
		if (n == GUARD_UNIX_PATH_MAX && length == n)
			rec->header.flags |= f.truncated_flag;
		path[length & 0x7f] = 0;
		f.unix_path->length = length;
		end += length + 1;
	} else {
		return 0;
	}
	return end;
}

/* The address a socket holds (sock_file: its struct file, as a number):
 * its local address (local != 0) or its peer's, as the kernel keeps them
 * in struct sock. Returns 0 when it holds none (an inet socket with no
 * port; a unix socket not bound, or not connected). Member by member: each
 * read is relocated on its own. A global function. */
__noinline int read_socket_address(struct sockaddr_copy *sa, __u64 sock_file, __u32 local)
{
	if (!sa || !sock_file)
		return 0;
	struct file *file = kernel_ptr(struct file, sock_file);
	struct socket *sock = kernel_ptr(struct socket, file->private_data);
	struct sock_common *sk = &sock->sk->__sk_common;
	if (!sock->sk)
		return 0;
	sa->family = sk->skc_family;
	__be16 port = local ? __builtin_bswap16(sk->skc_num) : sk->skc_dport;
	if (sa->family == GUARD_AF_INET) {
		sa->in.port = port;
		__be32 a = local ? sk->skc_rcv_saddr : sk->skc_daddr;
		__builtin_memcpy(sa->in.addr, &a, 4);
		return port != 0;
	}
	if (sa->family == GUARD_AF_INET6) {
		sa->in6.port = port;
		struct in6_addr *a = local ? &sk->skc_v6_rcv_saddr : &sk->skc_v6_daddr;
		bpf_probe_read_kernel(sa->in6.addr, 16, a->in6_u.u6_addr8);
		return port != 0;
	}
	if (sa->family == GUARD_AF_UNIX) {
		/* A unix socket's own address, or for its peer the peer
		 * socket's own (which a client that never bound lacks). */
		struct unix_sock *u = kernel_ptr(struct unix_sock, sock->sk);
		if (!local) {
			if (!u->peer)
				return 0;
			u = kernel_ptr(struct unix_sock, u->peer);
		}
		struct unix_address *addr = u->addr;
		if (!addr)
			return !local;
		int len = addr->len;
		if (len > 2) {
			sa->len = len > GUARD_SOCKADDR_MAX ? GUARD_SOCKADDR_MAX : len;
			bpf_probe_read_kernel(sa->bytes, sa->len & 0x7f, addr->name);
		}
		return 1;
	}
	return 0;
}

/* A record with no address: family 0. */
static __always_inline __u32 put_no_address(struct guard_net *rec, int given)
{
	struct address_fields f = address_fields(rec, given);
	*f.family = 0;
	*f.port = 0;
	__builtin_memset(f.addr, 0, 16);
	put_empty_string(sizeof(*rec), f.unix_path);
	return sizeof(*rec);
}

/* Whether the caller's sockaddr (given_*) names another inet endpoint than
 * the socket's address. What the kernel fills in is no difference: an
 * unspecified address (connect: the local host; bind: any) and a bind's
 * port 0 (the kernel picks one). Unix names are not compared: a peer's name
 * is the one its server bound, which need not be how the client spelled it. */
static __always_inline int given_differs(struct guard_net *rec, int local)
{
	if (rec->family == GUARD_AF_UNIX)
		return 0;
	__u64 a[2], b[2];
	__builtin_memcpy(a, rec->addr, 16);
	__builtin_memcpy(b, rec->given_addr, 16);
	int any_addr = (b[0] | b[1]) == 0;
	int any_port = local && rec->given_port == 0;
	return rec->family != rec->given_family || (!any_port && rec->port != rec->given_port) ||
	       (!any_addr && (a[0] != b[0] || a[1] != b[1]));
}

/* connect and bind: the socket's address (the peer, or the local one) when
 * the call went through (a connect also when in progress) and the socket
 * holds one; else the sockaddr kept at enter, flagged as the caller's. The
 * kept one goes beside the socket's when they differ. Returns the offset
 * past the strings, or 0 when neither is of a family guard reports. */
static __always_inline __u32 put_connect_or_bind(struct guard_net *rec, struct pending_call *slot, long ret, int local,
						 __u64 sock)
{
	struct sockaddr_copy sa = {};
	int went_through = ret >= 0 || (!local && ret == -EINPROGRESS);
	int held = went_through && read_socket_address(&sa, sock, local);
	if (!slot->path_len && slot->net.addr) {
		/* Not read at enter (its page was not in memory then): now. */
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
	put_no_address(rec, 1);
	if (!held) {
		__u32 end = put_address((struct guard_scratch *)rec, sizeof(*rec), &given, 0);
		if (!end)
			return 0;
		rec->header.flags |= GUARD_NET_ADDR_FROM_USER;
		put_empty_string(end, &rec->given_unix_path);
		return end;
	}
	__u32 end = put_address((struct guard_scratch *)rec, sizeof(*rec), &sa, 0);
	if (!end)
		return 0;
	__u32 given_end = given.len >= 2 ? put_address((struct guard_scratch *)rec, end, &given, 1) : 0;
	if (given_end && given_differs(rec, local)) {
		rec->header.flags |= GUARD_NET_RACED;
		return given_end;
	}
	put_no_address(rec, 1);
	put_empty_string(end, &rec->given_unix_path);
	return end;
}

/* The address a socket listens on is its own, bound earlier; one with none
 * still makes a record. */
static __always_inline __u32 put_listen_address(struct guard_net *rec, __u64 sock)
{
	struct sockaddr_copy sa = {};
	__u32 end = read_socket_address(&sa, sock, 1) ? put_address((struct guard_scratch *)rec, sizeof(*rec), &sa, 0) : 0;
	return end ? end : put_no_address(rec, 0);
}

/* accept: the peer of the socket it made (the new fd's). A failed accept
 * has no address. */
static __always_inline __u32 put_accept_peer(struct guard_net *rec, long ret, __u64 accepted)
{
	struct sockaddr_copy sa = {};
	if (ret < 0)
		return put_no_address(rec, 0);
	if (!read_socket_address(&sa, accepted, 0) && sa.family != GUARD_AF_UNIX)
		return put_no_address(rec, 0);
	return put_address((struct guard_scratch *)rec, sizeof(*rec), &sa, 0);
}

/* connect(fd, addr, addrlen) and bind(fd, addr, addrlen) */
SEC("tracepoint/syscalls/sys_enter_connect")
int net_connect_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_CONNECT, ctx->args[0], (const void *)ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_bind")
int net_bind_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_BIND, ctx->args[0], (const void *)ctx->args[1], ctx->args[2]);
	return 0;
}

/* listen(fd, backlog) */
SEC("tracepoint/syscalls/sys_enter_listen")
int net_listen_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_LISTEN, ctx->args[0], 0, ctx->args[1]);
	return 0;
}

/* accept(fd, addr, int *addrlen), accept4(fd, addr, int *addrlen, flags) */
SEC("tracepoint/syscalls/sys_enter_accept")
int net_accept_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_ACCEPT, ctx->args[0], 0, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_accept4")
int net_accept4_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_ACCEPT, ctx->args[0], 0, 0);
	return 0;
}

/* Writes the record of a network call whose header is filled. sock is the
 * socket's struct file (as a number): the one called on, or for accept the
 * one it made. The syscalls' exit and io_uring's completion
 * (kern/io_uring.bpf.h) both end here. */
static __always_inline void put_net_record(struct guard_net *rec, struct pending_call *slot, __u16 kind, long ret,
					   __u64 sock)
{
	rec->result = ret;
	rec->backlog = kind == GUARD_RECORD_NET_LISTEN ? slot->net.addrlen : 0;
	__u32 end = 0;
	if (kind == GUARD_RECORD_NET_CONNECT || kind == GUARD_RECORD_NET_BIND) {
		end = put_connect_or_bind(rec, slot, ret, kind == GUARD_RECORD_NET_BIND, sock);
		if (kind == GUARD_RECORD_NET_CONNECT && end)
			enforce_connect(rec);
	} else {
		end = kind == GUARD_RECORD_NET_LISTEN ? put_listen_address(rec, sock) : put_accept_peer(rec, ret, sock);
		put_no_address(rec, 1);
		put_empty_string(end, &rec->given_unix_path);
	}
	if (end && !net_filtered(rec))
		submit(&rec->header, end);
}

/* The exit of every network syscall above, one program for all (see
 * file_exit): the kind kept at enter says which record to write. */
SEC("tracepoint/syscalls/sys_exit_connect,sys_exit_bind,sys_exit_listen,sys_exit_accept,sys_exit_accept4")
int net_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot)
		return 0;
	if (kind == GUARD_RECORD_NET_ACCEPT && ctx->ret == -EAGAIN)
		return 0; /* an accept that found nothing to accept is no event */
	struct guard_net *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, kind);
	__s32 fd = kind == GUARD_RECORD_NET_ACCEPT ? ctx->ret : slot->net.fd;
	put_net_record(rec, slot, kind, ctx->ret, task_file_address(fd));
	return 0;
}

#endif
