/* SPDX-License-Identifier: GPL-2.0-only */
/* File events: open, rename, unlink, chmod, chown, link, symlink.
 *
 * Each syscall's sys_enter program keeps its arguments (pointers into the
 * caller's memory, flags, modes) in `pending`; at sys_exit, where the result
 * is known, file_exit reads the paths and writes one guard_file record, so
 * every record says whether the call succeeded and, if not, its errno. The
 * paths are read at exit: the caller's memory is still there, and a call the
 * kernel rejected before reading them is reported all the same.
 */
#ifndef GUARD_KERN_FILE_BPF_H
#define GUARD_KERN_FILE_BPF_H

#include <linux/fcntl.h>

#include "common.bpf.h"
#include "path.bpf.h"

/* O_TMPFILE without O_DIRECTORY: asm-generic/fcntl.h keeps it internal. */
#define GUARD_O_TMPFILE_BIT 020000000

/* What makes an open a modification: it can write, create or truncate. */
#define GUARD_OPEN_MODIFIES (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | GUARD_O_TMPFILE_BIT)

static __always_inline void remember_file_call(struct syscall_enter_entry *ctx, __u16 kind, __s32 dfd, __u64 path,
					       __s32 dfd2, __u64 path2)
{
	struct pending_call call = {};
	call.kind = kind;
	call.dfd = dfd;
	call.path = path;
	call.dfd2 = dfd2;
	call.path2 = path2;
	remember_call(ctx, &call);
}

static __always_inline void remember_open(struct syscall_enter_entry *ctx, __s32 dfd, __u64 path, __u32 flags,
					  __u32 mode)
{
	struct pending_call call = {};
	call.kind = GUARD_RECORD_FILE_OPEN;
	call.dfd = dfd;
	call.path = path;
	call.open_flags = flags;
	call.mode = mode;
	remember_call(ctx, &call);
}

static __always_inline void remember_chmod(struct syscall_enter_entry *ctx, __s32 dfd, __u64 path, __u32 mode)
{
	struct pending_call call = {};
	call.kind = GUARD_RECORD_FILE_CHMOD;
	call.dfd = dfd;
	call.path = path;
	call.mode = mode;
	remember_call(ctx, &call);
}

static __always_inline void remember_chown(struct syscall_enter_entry *ctx, __s32 dfd, __u64 path, __u32 uid,
					   __u32 gid)
{
	struct pending_call call = {};
	call.kind = GUARD_RECORD_FILE_CHOWN;
	call.dfd = dfd;
	call.path = path;
	call.owner_uid = uid;
	call.owner_gid = gid;
	remember_call(ctx, &call);
}

/* open(path, flags, mode) */
SEC("tracepoint/syscalls/sys_enter_open")
int file_open_enter(struct syscall_enter_entry *ctx)
{
	remember_open(ctx, AT_FDCWD, ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

/* creat(path, mode): open(path, O_CREAT | O_WRONLY | O_TRUNC, mode) */
SEC("tracepoint/syscalls/sys_enter_creat")
int file_creat_enter(struct syscall_enter_entry *ctx)
{
	remember_open(ctx, AT_FDCWD, ctx->args[0], O_CREAT | O_WRONLY | O_TRUNC, ctx->args[1]);
	return 0;
}

/* openat(dfd, path, flags, mode) */
SEC("tracepoint/syscalls/sys_enter_openat")
int file_openat_enter(struct syscall_enter_entry *ctx)
{
	remember_open(ctx, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
	return 0;
}

/* openat2(dfd, path, struct open_how *how, size): flags and mode are the
 * first two __u64 of open_how, in the caller's memory. */
SEC("tracepoint/syscalls/sys_enter_openat2")
int file_openat2_enter(struct syscall_enter_entry *ctx)
{
	__u64 how[2] = {};
	bpf_probe_read_user(how, sizeof(how), (const void *)ctx->args[2]);
	remember_open(ctx, ctx->args[0], ctx->args[1], how[0], how[1]);
	return 0;
}

/* rename(old, new), renameat(olddfd, old, newdfd, new), renameat2(..., flags) */
SEC("tracepoint/syscalls/sys_enter_rename")
int file_rename_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_RENAME, AT_FDCWD, ctx->args[0], AT_FDCWD, ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_renameat")
int file_renameat_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_RENAME, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_renameat2")
int file_renameat2_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_RENAME, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
	return 0;
}

/* unlink(path), unlinkat(dfd, path, flags) */
SEC("tracepoint/syscalls/sys_enter_unlink")
int file_unlink_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_UNLINK, AT_FDCWD, ctx->args[0], AT_FDCWD, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int file_unlinkat_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_UNLINK, ctx->args[0], ctx->args[1], AT_FDCWD, 0);
	return 0;
}

/* chmod(path, mode), fchmodat(dfd, path, mode), fchmodat2(dfd, path, mode, flags) */
SEC("tracepoint/syscalls/sys_enter_chmod")
int file_chmod_enter(struct syscall_enter_entry *ctx)
{
	remember_chmod(ctx, AT_FDCWD, ctx->args[0], ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_fchmodat")
int file_fchmodat_enter(struct syscall_enter_entry *ctx)
{
	remember_chmod(ctx, ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_fchmodat2")
int file_fchmodat2_enter(struct syscall_enter_entry *ctx)
{
	remember_chmod(ctx, ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

/* chown(path, uid, gid), lchown(path, uid, gid), fchownat(dfd, path, uid, gid, flags) */
SEC("tracepoint/syscalls/sys_enter_chown")
int file_chown_enter(struct syscall_enter_entry *ctx)
{
	remember_chown(ctx, AT_FDCWD, ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_lchown")
int file_lchown_enter(struct syscall_enter_entry *ctx)
{
	remember_chown(ctx, AT_FDCWD, ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_fchownat")
int file_fchownat_enter(struct syscall_enter_entry *ctx)
{
	remember_chown(ctx, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
	return 0;
}

/* link(old, new), linkat(olddfd, old, newdfd, new, flags): path is the
 * existing file, path2 the new name. */
SEC("tracepoint/syscalls/sys_enter_link")
int file_link_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_LINK, AT_FDCWD, ctx->args[0], AT_FDCWD, ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_linkat")
int file_linkat_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_LINK, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
	return 0;
}

/* symlink(target, linkpath), symlinkat(target, newdfd, linkpath): path is
 * the new link, path2 the target as given. */
SEC("tracepoint/syscalls/sys_enter_symlink")
int file_symlink_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_SYMLINK, AT_FDCWD, ctx->args[1], AT_FDCWD, ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_symlinkat")
int file_symlinkat_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_SYMLINK, ctx->args[1], ctx->args[2], AT_FDCWD, ctx->args[0]);
	return 0;
}

/* The exit of every file syscall above: one record with the result and the
 * paths. path2 is a second path resolved like the first (rename, link), or
 * for a symlink the target exactly as given (it is stored, not followed).
 *
 * One program serves all nineteen: the kernel lets a program be attached to
 * any number of tracepoints (one perf event each), and the section lists
 * them. The verifier then checks the path walks once, not once a syscall,
 * which is most of what guard's start-up would otherwise cost. */
SEC("tracepoint/syscalls/"
    "sys_exit_open,sys_exit_creat,sys_exit_openat,sys_exit_openat2,"
    "sys_exit_rename,sys_exit_renameat,sys_exit_renameat2,sys_exit_unlink,sys_exit_unlinkat,"
    "sys_exit_chmod,sys_exit_fchmodat,sys_exit_fchmodat2,sys_exit_chown,sys_exit_lchown,sys_exit_fchownat,"
    "sys_exit_link,sys_exit_linkat,sys_exit_symlink,sys_exit_symlinkat")
int file_exit(struct syscall_exit_entry *ctx)
{
	struct pending_call call;
	if (!take_syscall(ctx, &call))
		return 0;
	__u16 kind = call.kind;
	struct guard_file *rec = scratch_record();
	if (!rec)
		return 0;

	fill_header(&rec->header, kind);
	rec->result = ctx->ret;
	rec->open_flags = call.open_flags;
	rec->mode = call.mode;
	rec->owner_uid = call.owner_uid;
	rec->owner_gid = call.owner_gid;
	rec->reserved = 0;
	if (kind == GUARD_RECORD_FILE_OPEN && (call.open_flags & GUARD_OPEN_MODIFIES))
		rec->header.flags |= GUARD_FILE_MODIFY;

	__u32 end = put_path(rec, sizeof(*rec), call.dfd, (const char *)call.path, &rec->path,
			     GUARD_FILE_PATH_TRUNCATED, GUARD_FILE_PATH_UNRESOLVED);
	if (kind == GUARD_RECORD_FILE_SYMLINK)
		end = put_user_string(rec, end, (const char *)call.path2, GUARD_PATH_MAX, &rec->path2);
	else if (kind == GUARD_RECORD_FILE_RENAME || kind == GUARD_RECORD_FILE_LINK)
		end = put_path(rec, end, call.dfd2, (const char *)call.path2, &rec->path2,
			       GUARD_FILE_PATH2_TRUNCATED, GUARD_FILE_PATH2_UNRESOLVED);
	else
		put_empty_string(end, &rec->path2);
	submit(&rec->header, end);
	return 0;
}

#endif
