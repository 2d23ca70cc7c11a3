/* SPDX-License-Identifier: GPL-2.0-only */
/* Network events: connect, bind, listen, accept and accept4.
 *
 * As for files, the enter keeps the arguments and the exit writes the record
 * with the result. connect and bind take the address from the caller's
 * struct sockaddr; accept reads the peer address the kernel has written back
 * into the caller's buffer by the time the call returns.
 * Only AF_INET, AF_INET6 and AF_UNIX addresses make records.
 */
#ifndef GUARD_KERN_NET_BPF_H
#define GUARD_KERN_NET_BPF_H

#include <linux/errno.h>

#include "common.bpf.h"
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

static __always_inline void remember_net_call(struct syscall_enter_entry *ctx, __u16 kind, __s32 fd, __u64 addr,
					      __u64 addrlen_ptr, __u32 len)
{
	struct pending_call call = {};
	call.kind = kind;
	call.dfd = fd;
	call.path = addr;
	call.path2 = addrlen_ptr;
	call.len = len;
	remember_call(ctx, &call);
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

/* Fills family, port, addr and unix_path from a sockaddr. Returns the offset
 * past the strings, or 0 when the family is not one guard reports. */
static __always_inline __u32 put_sockaddr_copy(struct guard_net *rec, struct sockaddr_copy *sa)
{
	__u32 end = sizeof(*rec);
	__u16 family = sa->family;
	rec->family = family;
	__builtin_memset(rec->addr, 0, sizeof(rec->addr));
	rec->port = 0;
	put_empty_string(end, &rec->unix_path);

	if (family == GUARD_AF_INET) {
		rec->port = __builtin_bswap16(sa->in.port);
		__builtin_memcpy(rec->addr, sa->in.addr, 4);
	} else if (family == GUARD_AF_INET6) {
		rec->port = __builtin_bswap16(sa->in6.port);
		if (is_v4_mapped(sa->in6.addr)) {
			rec->family = GUARD_AF_INET;
			__builtin_memcpy(rec->addr, sa->in6.addr + 12, 4);
		} else {
			__builtin_memcpy(rec->addr, sa->in6.addr, 16);
		}
	} else if (family == GUARD_AF_UNIX) {
		/* sun_path follows the family. A pathname socket's path ends at
		 * its NUL; an abstract one starts with NUL and is exactly
		 * len - 2 bytes long, shown with a leading '@'. */
		char *path = (char *)rec + end;
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
			rec->header.flags |= GUARD_NET_UNIX_PATH_TRUNCATED;
		path[length & 0x7f] = 0;
		rec->unix_path.length = length;
		end += length + 1;
	} else {
		return 0;
	}
	return end;
}

/* ... from a sockaddr of len bytes in the caller's memory. */
static __always_inline __u32 put_user_sockaddr(struct guard_net *rec, const void *uaddr, __u32 len)
{
	struct sockaddr_copy sa = {};
	if (len > GUARD_SOCKADDR_MAX)
		len = GUARD_SOCKADDR_MAX;
	if (len < 2 || bpf_probe_read_user(sa.bytes, len & 0x7f, uaddr) != 0)
		return 0;
	sa.len = len;
	return put_sockaddr_copy(rec, &sa);
}

/* ... from the socket open as fd: its local address (local != 0) or its
 * peer's, as the kernel keeps them in struct sock. Member by member: each
 * read is relocated on its own. */
static __always_inline __u32 put_socket_address(struct guard_net *rec, __s32 fd, int local)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *file = task_file(task, fd);
	if (!file)
		return 0;
	struct socket *sock = GUARD_CORE_READ(file, private_data);
	struct sock *sk = GUARD_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	struct sockaddr_copy sa = {};
	sa.family = GUARD_CORE_READ(sk, __sk_common.skc_family);
	__be16 port = local ? __builtin_bswap16(GUARD_CORE_READ(sk, __sk_common.skc_num))
			    : GUARD_CORE_READ(sk, __sk_common.skc_dport);
	if (sa.family == GUARD_AF_INET) {
		sa.in.port = port;
		__be32 a = local ? GUARD_CORE_READ(sk, __sk_common.skc_rcv_saddr) : GUARD_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(sa.in.addr, &a, 4);
	} else if (sa.family == GUARD_AF_INET6) {
		sa.in6.port = port;
		if (local)
			GUARD_CORE_READ_INTO(&sa.in6.addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		else
			GUARD_CORE_READ_INTO(&sa.in6.addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	} else if (sa.family == GUARD_AF_UNIX && local) {
		struct unix_address *addr = GUARD_CORE_READ((struct unix_sock *)sk, addr);
		int len = GUARD_CORE_READ(addr, len);
		if (addr && len > 2) {
			sa.len = len > GUARD_SOCKADDR_MAX ? GUARD_SOCKADDR_MAX : len;
			bpf_probe_read_kernel(sa.bytes, sa.len & 0x7f, __builtin_preserve_access_index(&addr->name[0]));
		}
	}
	return put_sockaddr_copy(rec, &sa);
}

/* A record with no address: family 0. */
static __always_inline __u32 put_no_address(struct guard_net *rec)
{
	rec->family = 0;
	rec->port = 0;
	__builtin_memset(rec->addr, 0, sizeof(rec->addr));
	put_empty_string(sizeof(*rec), &rec->unix_path);
	return sizeof(*rec);
}

/* connect(fd, addr, addrlen) and bind(fd, addr, addrlen): the address is the
 * caller's sockaddr. */
SEC("tracepoint/syscalls/sys_enter_connect")
int net_connect_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_CONNECT, ctx->args[0], ctx->args[1], 0, ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_bind")
int net_bind_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_BIND, ctx->args[0], ctx->args[1], 0, ctx->args[2]);
	return 0;
}

/* listen(fd, backlog) */
SEC("tracepoint/syscalls/sys_enter_listen")
int net_listen_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_LISTEN, ctx->args[0], 0, 0, ctx->args[1]);
	return 0;
}

/* The address a socket listens on is its own, bound earlier; one with none
 * still makes a record. */
static __always_inline __u32 put_listen_address(struct guard_net *rec, const struct pending_call *call)
{
	rec->backlog = call->len;
	__u32 end = put_socket_address(rec, call->dfd, 1);
	return end ? end : put_no_address(rec);
}

/* accept(fd, addr, int *addrlen), accept4(fd, addr, int *addrlen, flags):
 * the peer is in the caller's buffer once the call has returned. An accept
 * that found nothing to accept (EAGAIN) is no event. */
static __always_inline __u32 put_accept_peer(struct guard_net *rec, struct syscall_exit_entry *ctx,
					     const struct pending_call *call)
{
	__u32 end = 0;
	if (ctx->ret >= 0 && call->path && call->path2) {
		int addrlen = 0;
		bpf_probe_read_user(&addrlen, sizeof(addrlen), (const void *)call->path2);
		end = put_user_sockaddr(rec, (const void *)call->path, addrlen);
	} else if (ctx->ret >= 0) {
		/* No buffer for the peer: the new socket knows it. */
		end = put_socket_address(rec, ctx->ret, 0);
	}
	if (!end && ctx->ret >= 0 && call->path)
		return 0; /* a family guard does not report */
	return end ? end : put_no_address(rec);
}

SEC("tracepoint/syscalls/sys_enter_accept")
int net_accept_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_ACCEPT, ctx->args[0], ctx->args[1], ctx->args[2], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_accept4")
int net_accept4_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(ctx, GUARD_RECORD_NET_ACCEPT, ctx->args[0], ctx->args[1], ctx->args[2], 0);
	return 0;
}

/* The exit of every network syscall above, one program for all (see
 * file_exit): the kind kept at enter says which record to write. */
SEC("tracepoint/syscalls/sys_exit_connect,sys_exit_bind,sys_exit_listen,sys_exit_accept,sys_exit_accept4")
int net_exit(struct syscall_exit_entry *ctx)
{
	struct pending_call call;
	if (!take_syscall(ctx, &call))
		return 0;
	if (call.kind == GUARD_RECORD_NET_ACCEPT && ctx->ret == -EAGAIN)
		return 0; /* an accept that found nothing to accept is no event */
	struct guard_net *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, call.kind);
	rec->result = ctx->ret;
	rec->backlog = 0;
	__u32 end = 0;
	if (call.kind == GUARD_RECORD_NET_CONNECT || call.kind == GUARD_RECORD_NET_BIND)
		end = put_user_sockaddr(rec, (const void *)call.path, call.len);
	else if (call.kind == GUARD_RECORD_NET_LISTEN)
		end = put_listen_address(rec, &call);
	else if (call.kind == GUARD_RECORD_NET_ACCEPT)
		end = put_accept_peer(rec, ctx, &call);
	if (end)
		submit(&rec->header, end);
	return 0;
}

#endif
