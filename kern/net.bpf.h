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

static __always_inline void remember_net_call(__u16 kind, __s32 fd, __u64 addr, __u64 addrlen_ptr, __u32 len)
{
	struct pending_call call = {};
	call.kind = kind;
	call.dfd = fd;
	call.path = addr;
	call.path2 = addrlen_ptr;
	call.len = len;
	remember_call(&call);
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

/* Fills family, port, addr and unix_path from a user sockaddr of len bytes.
 * Returns the offset past the strings, or 0 when the family is not one guard
 * reports. */
static __always_inline __u32 put_sockaddr(struct guard_net *rec, const void *uaddr, __u32 len)
{
	__u32 end = sizeof(*rec);
	__u16 family = 0;
	if (bpf_probe_read_user(&family, sizeof(family), uaddr) != 0)
		return 0;
	rec->family = family;
	__builtin_memset(rec->addr, 0, sizeof(rec->addr));
	rec->port = 0;
	put_empty_string(end, &rec->unix_path);

	if (family == GUARD_AF_INET) {
		struct guard_sockaddr_in in = {};
		bpf_probe_read_user(&in, sizeof(in), uaddr);
		rec->port = __builtin_bswap16(in.port);
		__builtin_memcpy(rec->addr, in.addr, 4);
	} else if (family == GUARD_AF_INET6) {
		struct guard_sockaddr_in6 in6 = {};
		bpf_probe_read_user(&in6, sizeof(in6), uaddr);
		rec->port = __builtin_bswap16(in6.port);
		if (is_v4_mapped(in6.addr)) {
			rec->family = GUARD_AF_INET;
			__builtin_memcpy(rec->addr, in6.addr + 12, 4);
		} else {
			__builtin_memcpy(rec->addr, in6.addr, 16);
		}
	} else if (family == GUARD_AF_UNIX) {
		/* sun_path follows the family. A pathname socket's path ends at
		 * its NUL; an abstract one starts with NUL and is exactly
		 * len - 2 bytes long, shown with a leading '@'. */
		char *path = (char *)rec + end;
		__u32 n = len > 2 ? len - 2 : 0;
		if (n > GUARD_UNIX_PATH_MAX)
			n = GUARD_UNIX_PATH_MAX;
		if (n == 0)
			return end;
		__builtin_memset(path, 0, GUARD_UNIX_PATH_MAX + 1);
		bpf_probe_read_user(path, n & 0x7f, (const char *)uaddr + 2);
		__u32 length = n;
		if (path[0] == 0) {
			path[0] = '@';
		} else {
			/* A pathname: up to the first NUL. */
			for (__u32 i = 0; i < GUARD_UNIX_PATH_MAX; i++) {
				if (i >= n || path[i] == 0) {
					length = i;
					break;
				}
			}
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

static __always_inline struct guard_net *start_net_record(__u16 kind, struct syscall_exit_entry *ctx,
							  const struct pending_call *call)
{
	struct guard_net *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, kind);
	rec->result = ctx->ret;
	rec->backlog = call->len;
	return rec;
}

/* connect(fd, addr, addrlen) and bind(fd, addr, addrlen) */
static __always_inline int addr_call_exit(struct syscall_exit_entry *ctx, __u16 kind)
{
	struct pending_call call;
	if (!take_call(kind, &call))
		return 0;
	struct guard_net *rec = start_net_record(kind, ctx, &call);
	if (!rec)
		return 0;
	rec->backlog = 0;
	__u32 end = put_sockaddr(rec, (const void *)call.path, call.len);
	if (end)
		submit(&rec->header, end);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int net_connect_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(GUARD_RECORD_NET_CONNECT, ctx->args[0], ctx->args[1], 0, ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int net_connect_exit(struct syscall_exit_entry *ctx)
{
	return addr_call_exit(ctx, GUARD_RECORD_NET_CONNECT);
}

SEC("tracepoint/syscalls/sys_enter_bind")
int net_bind_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(GUARD_RECORD_NET_BIND, ctx->args[0], ctx->args[1], 0, ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int net_bind_exit(struct syscall_exit_entry *ctx)
{
	return addr_call_exit(ctx, GUARD_RECORD_NET_BIND);
}

/* listen(fd, backlog) */
SEC("tracepoint/syscalls/sys_enter_listen")
int net_listen_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(GUARD_RECORD_NET_LISTEN, ctx->args[0], 0, 0, ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_listen")
int net_listen_exit(struct syscall_exit_entry *ctx)
{
	struct pending_call call;
	if (!take_call(GUARD_RECORD_NET_LISTEN, &call))
		return 0;
	struct guard_net *rec = start_net_record(GUARD_RECORD_NET_LISTEN, ctx, &call);
	if (!rec)
		return 0;
	rec->family = 0;
	rec->port = 0;
	__builtin_memset(rec->addr, 0, sizeof(rec->addr));
	put_empty_string(sizeof(*rec), &rec->unix_path);
	submit(&rec->header, sizeof(*rec));
	return 0;
}

/* accept(fd, addr, int *addrlen), accept4(fd, addr, int *addrlen, flags):
 * the peer is in the caller's buffer once the call has returned. An accept
 * that found nothing to accept (EAGAIN) is no event. */
static __always_inline int accept_exit(struct syscall_exit_entry *ctx)
{
	struct pending_call call;
	if (!take_call(GUARD_RECORD_NET_ACCEPT, &call))
		return 0;
	if (ctx->ret == -EAGAIN)
		return 0;
	struct guard_net *rec = start_net_record(GUARD_RECORD_NET_ACCEPT, ctx, &call);
	if (!rec)
		return 0;
	rec->backlog = 0;
	__u32 end = 0;
	if (ctx->ret >= 0 && call.path && call.path2) {
		int addrlen = 0;
		bpf_probe_read_user(&addrlen, sizeof(addrlen), (const void *)call.path2);
		end = put_sockaddr(rec, (const void *)call.path, addrlen);
		if (!end)
			return 0;
	} else {
		rec->family = 0;
		rec->port = 0;
		__builtin_memset(rec->addr, 0, sizeof(rec->addr));
		end = sizeof(*rec);
		put_empty_string(end, &rec->unix_path);
	}
	submit(&rec->header, end);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_accept")
int net_accept_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(GUARD_RECORD_NET_ACCEPT, ctx->args[0], ctx->args[1], ctx->args[2], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int net_accept_exit(struct syscall_exit_entry *ctx)
{
	return accept_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_accept4")
int net_accept4_enter(struct syscall_enter_entry *ctx)
{
	remember_net_call(GUARD_RECORD_NET_ACCEPT, ctx->args[0], ctx->args[1], ctx->args[2], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int net_accept4_exit(struct syscall_exit_entry *ctx)
{
	return accept_exit(ctx);
}

#endif
