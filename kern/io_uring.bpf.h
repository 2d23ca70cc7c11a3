/* SPDX-License-Identifier: GPL-2.0-only */
/* io_uring: the same operations without their syscalls.
 *
 * A process can open, connect, accept, rename, unlink, link and send
 * through an io_uring: it writes requests into a ring it shares with the
 * kernel and no syscall tracepoint sees them. io_uring's own tracepoints
 * do. io_uring_submit_req fires once a request's prep has run: the kernel
 * has copied its paths (getname: a struct filename) and its address
 * (move_addr_to_kernel) out of the caller's memory, so what is kept here is
 * the kernel's copy, beyond the caller's reach. io_uring_complete fires with
 * the result, where the record is written as the syscall's would be (the
 * same kind, the same fields, flagged GUARD_VIA_IO_URING): the file a
 * successful open made is walked from the new fd, a connected socket's peer
 * read from the socket.
 *
 * The request may complete on one of the process's io_uring threads (an
 * io-wq worker, "iou-wrk-PID"), which share its files and fs: fds and
 * relative paths mean the same there. The record carries the header taken
 * at submission: the submitting thread, its comm and credentials.
 *
 * A request submitted with IOSQE_CQE_SKIP_SUCCESS posts no completion when
 * it succeeds: it is reported at submission instead, its result unknown
 * (GUARD_NO_RESULT), so that asking for silence buys no blind spot.
 */
#ifndef GUARD_KERN_IO_URING_BPF_H
#define GUARD_KERN_IO_URING_BPF_H

#include <linux/io_uring.h>

#include "common.bpf.h"
#include "file.bpf.h"
#include "send.bpf.h"

/* task_struct->flags: an io_uring thread (io-wq worker or SQPOLL thread). */
#define GUARD_PF_IO_WORKER 0x00000010

/* A request between submission and completion: its submitter's header and
 * its arguments, laid out as a syscall's pending_call so that the
 * syscalls' record writers serve it unchanged. */
struct io_uring_request {
	struct guard_header header;
	__u32 fixed_slot; /* open, accept into a fixed-file slot: the result is no fd */
	__u32 reserved;
	struct pending_call call;
};

/* Keyed by the request (struct io_kiocb *). An LRU map: a request whose
 * completion never came (a ring torn down) is forgotten first, never
 * blocking new ones; one forgotten too early is still reported at its
 * completion, as far as the completion shows (unseen_request). The kernel
 * preallocates an LRU map whole (it takes no BPF_F_NO_PREALLOC): 1024
 * entries of 4 KiB are 4 MiB of kernel memory, 4096 were 16. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct io_uring_request);
} io_uring_requests SEC(".maps");

/* Where a request is put together before it goes into the map. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct io_uring_request);
} io_uring_scratch SEC(".maps");

/* The record an opcode makes, or 0 for the ones guard does not report. */
static __always_inline __u16 io_uring_record_kind(__u8 opcode)
{
	switch (opcode) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2: return GUARD_RECORD_FILE_OPEN;
	case IORING_OP_RENAMEAT: return GUARD_RECORD_FILE_RENAME;
	case IORING_OP_UNLINKAT: return GUARD_RECORD_FILE_UNLINK;
	case IORING_OP_MKDIRAT: return GUARD_RECORD_FILE_MKDIR;
	case IORING_OP_SYMLINKAT: return GUARD_RECORD_FILE_SYMLINK;
	case IORING_OP_LINKAT: return GUARD_RECORD_FILE_LINK;
	case IORING_OP_CONNECT: return GUARD_RECORD_NET_CONNECT;
	case IORING_OP_ACCEPT: return GUARD_RECORD_NET_ACCEPT;
	case IORING_OP_SEND:
	case IORING_OP_SENDMSG:
	case IORING_OP_SEND_ZC:
	case IORING_OP_SENDMSG_ZC: return GUARD_RECORD_NET_SEND;
	default: return 0;
	}
}

/* Copies the string of the struct filename whose address is at `field`
 * (a request's member) into half `half` of the call's strings, with the
 * directory a relative one is relative to. A global function, verified
 * once for the nine paths of six opcodes. */
__noinline int keep_request_path(struct pending_call *call, __u32 half, __s32 dfd, __u64 field)
{
	if (!call)
		return 0;
	char *dst = call->strings + (half ? GUARD_PENDING_HALF : 0);
	__u64 name = 0;
	bpf_probe_read_kernel(&name, sizeof(name), (const void *)field);
	long n = name ? bpf_probe_read_kernel_str(dst, GUARD_PENDING_HALF, kernel_ptr(struct filename, name)->name) : 0;
	if (n < 1) {
		dst[0] = 0;
		n = 0;
	}
	note_kept_path(call, half, dfd, n);
	return 0;
}

/* Where member m of a request's command struct is: req's address plus the
 * member's offset in this kernel. */
#define request_member(req, type, m) ((req) + bpf_core_field_offset(((type *)0)->m))

/* A file request's arguments, from its command area. */
static __always_inline void keep_file_request(struct io_uring_request *r, __u8 opcode, __u64 req)
{
	struct pending_call *call = &r->call;
	if (opcode == IORING_OP_OPENAT || opcode == IORING_OP_OPENAT2) {
		struct io_open *open = kernel_ptr(struct io_open, req);
		call->file.open_flags = open->how.flags;
		call->file.mode = open->how.mode;
		r->fixed_slot = open->file_slot;
		keep_request_path(call, 0, open->dfd, request_member(req, struct io_open, filename));
	} else if (opcode == IORING_OP_RENAMEAT) {
		struct io_rename *ren = kernel_ptr(struct io_rename, req);
		keep_request_path(call, 0, ren->old_dfd, request_member(req, struct io_rename, oldpath));
		keep_request_path(call, 1, ren->new_dfd, request_member(req, struct io_rename, newpath));
	} else if (opcode == IORING_OP_UNLINKAT) {
		struct io_unlink *un = kernel_ptr(struct io_unlink, req);
		call->file.open_flags = un->flags;
		keep_request_path(call, 0, un->dfd, request_member(req, struct io_unlink, filename));
	} else if (opcode == IORING_OP_MKDIRAT) {
		struct io_mkdir *mk = kernel_ptr(struct io_mkdir, req);
		call->file.mode = mk->mode;
		keep_request_path(call, 0, mk->dfd, request_member(req, struct io_mkdir, filename));
	} else if (opcode == IORING_OP_LINKAT) {
		struct io_link *ln = kernel_ptr(struct io_link, req);
		call->file.open_flags = ln->flags;
		keep_request_path(call, 0, ln->old_dfd, request_member(req, struct io_link, oldpath));
		keep_request_path(call, 1, ln->new_dfd, request_member(req, struct io_link, newpath));
	} else if (opcode == IORING_OP_SYMLINKAT) {
		/* path: the new link; path2: the target, stored as given. */
		struct io_link *sl = kernel_ptr(struct io_link, req);
		keep_request_path(call, 0, sl->new_dfd, request_member(req, struct io_link, newpath));
		keep_request_path(call, 1, AT_FDCWD, request_member(req, struct io_link, oldpath));
	}
}

/* Where a connect request's address is. Its async data was a struct
 * io_async_msghdr holding it in `addr` until kernels of 2026 (6.18.y
 * included) made it the struct sockaddr_storage alone. Told apart by the
 * first two bytes: a family there (AF_UNIX, AF_INET, AF_INET6) is the new
 * layout; the old one starts with an 8-byte aligned pointer or 0, whose
 * low bits are never 1, 2 or 10. */
static __always_inline const void *connect_address(void *async_data, struct io_async_msghdr *msg)
{
	__u16 first = 0;
	bpf_probe_read_kernel(&first, sizeof(first), async_data);
	if (first == GUARD_AF_UNIX || first == GUARD_AF_INET || first == GUARD_AF_INET6)
		return async_data;
	return &msg->addr;
}

/* A socket request's address, from the kernel's copy in its async data
 * (connect always has one, a send only when given a destination). Returns
 * 0 for a send with none: on a connected socket, it is no event. */
static __always_inline int keep_request_address(struct pending_call *call, __u8 opcode, __u64 req)
{
	struct io_kiocb *kiocb = kernel_ptr(struct io_kiocb, req);
	void *async_data = kiocb->async_data;
	struct io_async_msghdr *msg = kernel_ptr(struct io_async_msghdr, async_data);
	if (!async_data)
		return 0;
	__u32 len = GUARD_SOCKADDR_MAX;
	const void *addr = &msg->addr;
	if (opcode == IORING_OP_CONNECT)
		addr = connect_address(async_data, msg);
	else
		len = msg->msg.msg_name ? msg->msg.msg_namelen : 0;
	if (len > GUARD_SOCKADDR_MAX)
		len = GUARD_SOCKADDR_MAX;
	if (len < 2 || bpf_probe_read_kernel(call->strings, len, addr) != 0)
		return 0;
	call->net.addrlen = len;
	call->path_len = len;
	call->net.destinations = 1; /* a send's one destination (kern/send.bpf.h) */
	return 1;
}

/* Writes the record of a request, with its result (res) and the socket
 * it worked on (sock, its struct file: connect). A global function: its
 * record writers' locals take a stack frame of their own, apart from the
 * caller's (a program's stack is 512 bytes). */
__noinline int put_request_record(struct io_uring_request *r, long res, __u64 sock, __u32 flags)
{
	if (!r)
		return 0;
	__u16 kind = r->call.kind;
	void *rec = scratch_record();
	if (!rec)
		return 0;
	__builtin_memcpy(rec, &r->header, sizeof(r->header));
	struct guard_header *h = rec;
	h->boot_ns = bpf_ktime_get_boot_ns();
	h->flags |= flags;
	/* What a successful open or accept made, unless it went into a fixed
	 * slot (res is then no fd) or its result is not known. */
	__u64 made = res >= 0 && !r->fixed_slot && !(flags & GUARD_NO_RESULT) ? task_file_address(res) : 0;
	if (kind == GUARD_RECORD_NET_SEND)
		put_send_records(rec, &r->call, res);
	else if (kind == GUARD_RECORD_NET_CONNECT || kind == GUARD_RECORD_NET_ACCEPT)
		put_net_record(rec, &r->call, kind, res, kind == GUARD_RECORD_NET_ACCEPT ? made : sock);
	else
		put_file_record(rec, &r->call, kind, res, made ? kernel_ptr(struct file, made) : 0);
	return 0;
}

/* Both tracepoints hold the request at the same place; its opcode (a
 * plain load) sorts out the requests guard does not report, before
 * anything else is done. */
static __always_inline __u16 reported_kind(__u64 req)
{
	return req ? io_uring_record_kind(kernel_ptr(struct io_kiocb, req)->opcode) : 0;
}

/* A request of this kind made by the current task, its arguments yet to
 * be filled in, in the per-CPU scratch. An io_uring thread (an SQPOLL
 * submitter, an io-wq worker) is named for its process. */
static __always_inline struct io_uring_request *new_request(__u16 kind, __u16 flags)
{
	__u32 zero = 0;
	struct io_uring_request *r = bpf_map_lookup_elem(&io_uring_scratch, &zero);
	if (!r)
		return 0;
	__builtin_memset(r, 0, __builtin_offsetof(struct io_uring_request, call.strings));
	r->call.kind = kind;
	fill_header(&r->header, kind);
	r->header.flags = flags;
	struct task_struct *task = current_task_readonly();
	if (task->flags & GUARD_PF_IO_WORKER)
		__builtin_memcpy(r->header.comm, task->group_leader->comm, sizeof(r->header.comm));
	return r;
}

SEC("tracepoint/io_uring/io_uring_submit_req")
int io_uring_submit(struct io_uring_submit_req_entry *ctx)
{
	__u16 kind = reported_kind(ctx->req);
	if (!kind || is_agent())
		return 0;
	struct io_uring_request *r = new_request(kind, GUARD_VIA_IO_URING);
	if (!r)
		return 0;
	if (kind == GUARD_RECORD_NET_CONNECT || kind == GUARD_RECORD_NET_SEND) {
		if (!keep_request_address(&r->call, ctx->opcode, ctx->req))
			return 0;
	} else if (kind == GUARD_RECORD_NET_ACCEPT) {
		r->fixed_slot = kernel_ptr(struct io_accept, ctx->req)->file_slot;
	} else {
		keep_file_request(r, ctx->opcode, ctx->req);
	}
	__u64 key = ctx->req;
	if (bpf_map_update_elem(&io_uring_requests, &key, r, BPF_ANY) != 0)
		count_drop(guard_ring_of(kind) == GUARD_RING_FILE ? (void *)&file_drops : (void *)&proc_net_drops, kind);
	/* No completion will come if it succeeds: report it now. */
	if (ctx->flags & IOSQE_CQE_SKIP_SUCCESS)
		put_request_record(r, 0, 0, GUARD_NO_RESULT);
	return 0;
}

/* A completion whose submission is not in the map: submitted before guard
 * attached, or forgotten by the LRU map under a flood of requests in flight
 * (one linked behind a request that never ends, then thousands more). What
 * the completion shows is still reported: the file a successful open made,
 * a socket's peer; the arguments are gone (GUARD_NO_REQUEST). A send is
 * skipped: one on a connected socket, which made no entry, is no event. */
static __always_inline struct io_uring_request *unseen_request(__u16 kind)
{
	if (kind == GUARD_RECORD_NET_SEND || is_agent())
		return 0;
	return new_request(kind, GUARD_VIA_IO_URING | GUARD_NO_REQUEST);
}

SEC("tracepoint/io_uring/io_uring_complete")
int io_uring_complete(struct io_uring_complete_entry *ctx)
{
	__u16 kind = reported_kind(ctx->req);
	if (!kind)
		return 0;
	struct io_kiocb *req = kernel_ptr(struct io_kiocb, ctx->req);
	__u64 key = ctx->req;
	struct io_uring_request *r = bpf_map_lookup_elem(&io_uring_requests, &key);
	if (!r)
		r = unseen_request(kind);
	if (!r)
		return 0;
	/* The socket's file (connect), as a number. */
	__u64 file = 0;
	bpf_probe_read_kernel(&file, sizeof(file), &req->file);
	put_request_record(r, ctx->res, file, 0);
	/* A multishot request (accept) completes again; the rest are done. */
	if (!(ctx->cflags & IORING_CQE_F_MORE))
		bpf_map_delete_elem(&io_uring_requests, &key);
	return 0;
}

#endif
