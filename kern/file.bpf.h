/* SPDX-License-Identifier: GPL-2.0-only */
/* File events: open, rename, unlink, chmod, chown, link, symlink, mkdir.
 *
 * Each syscall's sys_enter program copies the paths the caller passed into
 * the thread's `pending` slot, with the flags and modes: the caller may
 * rewrite its memory from another thread while the call runs, so the copy
 * is taken when the kernel takes its own. At sys_exit, where the result is
 * known, file_exit writes one guard_file record. A successful open reports
 * the file the kernel opened: its path walked from the struct file the new
 * fd holds (symlinks, "..", dirfds, /proc/self/root resolved), its device
 * and inode, and the path as given beside it. Every other call leaves no
 * object to read (the name of an unlinked file is gone, a failed open made
 * nothing): its paths are the copies taken at enter, made absolute, and
 * flagged as the caller's.
 */
#ifndef GUARD_KERN_FILE_BPF_H
#define GUARD_KERN_FILE_BPF_H

#include <linux/fcntl.h>

#include "common.bpf.h"
#include "enforce.bpf.h"
#include "prefilter.bpf.h"
#include "path.bpf.h"

/* O_TMPFILE without O_DIRECTORY: asm-generic/fcntl.h keeps it internal. */
#define GUARD_O_TMPFILE_BIT 020000000

/* What makes an open a modification: it can write, create or truncate. */
#define GUARD_OPEN_MODIFIES (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | GUARD_O_TMPFILE_BIT)

/* At enter: a call on one path (dfd, path) or two, with AT_* flags. */
static __always_inline struct pending_call *remember_file_call(struct syscall_enter_entry *ctx, __u16 kind, __s32 dfd,
							       __u64 path, __s32 dfd2, __u64 path2, __u32 at_flags)
{
	struct pending_call *slot = begin_call(ctx, kind);
	if (!slot)
		return 0;
	slot->file.open_flags = at_flags;
	slot->upath = path;
	slot->upath2 = path2;
	keep_path(slot, 0, dfd, (const char *)path);
	if (path2)
		keep_path(slot, 1, dfd2, (const char *)path2);
	return slot;
}

static __always_inline void remember_open(struct syscall_enter_entry *ctx, __s32 dfd, __u64 path, __u32 flags,
					  __u32 mode)
{
	struct pending_call *slot = remember_file_call(ctx, GUARD_RECORD_FILE_OPEN, dfd, path, 0, 0, flags);
	if (slot)
		slot->file.mode = mode;
}

static __always_inline void remember_chmod(struct syscall_enter_entry *ctx, __s32 dfd, __u64 path, __u32 mode,
					   __u32 at_flags)
{
	struct pending_call *slot = remember_file_call(ctx, GUARD_RECORD_FILE_CHMOD, dfd, path, 0, 0, at_flags);
	if (slot)
		slot->file.mode = mode;
}

static __always_inline void remember_chown(struct syscall_enter_entry *ctx, __s32 dfd, __u64 path, __u32 uid,
					   __u32 gid, __u32 at_flags)
{
	struct pending_call *slot = remember_file_call(ctx, GUARD_RECORD_FILE_CHOWN, dfd, path, 0, 0, at_flags);
	if (slot) {
		slot->file.owner_uid = uid;
		slot->file.owner_gid = gid;
	}
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

/* open_by_handle_at(mount_fd, handle, flags): the file is named by a
 * handle (name_to_handle_at), not a path: only the struct file the call
 * returns can say which it is. */
SEC("tracepoint/syscalls/sys_enter_open_by_handle_at")
int file_open_by_handle_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = remember_file_call(ctx, GUARD_RECORD_FILE_OPEN, ctx->args[0], 0, 0, 0, ctx->args[2]);
	if (slot)
		slot->flags = GUARD_FILE_BY_HANDLE;
	return 0;
}

/* rename(old, new), renameat(olddfd, old, newdfd, new), renameat2(..., flags) */
SEC("tracepoint/syscalls/sys_enter_rename")
int file_rename_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_RENAME, AT_FDCWD, ctx->args[0], AT_FDCWD, ctx->args[1], 0);
	return 0;
}

/* One program for both: renameat2's flags change nothing guard reports. */
SEC("tracepoint/syscalls/sys_enter_renameat,sys_enter_renameat2")
int file_renameat_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_RENAME, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3], 0);
	return 0;
}

/* unlink(path), unlinkat(dfd, path, flags) */
SEC("tracepoint/syscalls/sys_enter_unlink")
int file_unlink_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_UNLINK, AT_FDCWD, ctx->args[0], AT_FDCWD, 0, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int file_unlinkat_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_UNLINK, ctx->args[0], ctx->args[1], AT_FDCWD, 0, ctx->args[2]);
	return 0;
}

/* chmod(path, mode), fchmodat(dfd, path, mode), fchmodat2(dfd, path, mode, flags) */
SEC("tracepoint/syscalls/sys_enter_chmod")
int file_chmod_enter(struct syscall_enter_entry *ctx)
{
	remember_chmod(ctx, AT_FDCWD, ctx->args[0], ctx->args[1], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_fchmodat")
int file_fchmodat_enter(struct syscall_enter_entry *ctx)
{
	remember_chmod(ctx, ctx->args[0], ctx->args[1], ctx->args[2], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_fchmodat2")
int file_fchmodat2_enter(struct syscall_enter_entry *ctx)
{
	remember_chmod(ctx, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
	return 0;
}

/* chown(path, uid, gid), lchown(path, uid, gid), fchownat(dfd, path, uid, gid, flags) */
/* One program for both: the path is resolved at enter as given, and
 * whether the kernel then follows a final symlink does not change it. */
SEC("tracepoint/syscalls/sys_enter_chown,sys_enter_lchown")
int file_chown_enter(struct syscall_enter_entry *ctx)
{
	remember_chown(ctx, AT_FDCWD, ctx->args[0], ctx->args[1], ctx->args[2], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_fchownat")
int file_fchownat_enter(struct syscall_enter_entry *ctx)
{
	remember_chown(ctx, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3], ctx->args[4]);
	return 0;
}

/* link(old, new), linkat(olddfd, old, newdfd, new, flags): path is the
 * existing file, path2 the new name. */
SEC("tracepoint/syscalls/sys_enter_link")
int file_link_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_LINK, AT_FDCWD, ctx->args[0], AT_FDCWD, ctx->args[1], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_linkat")
int file_linkat_enter(struct syscall_enter_entry *ctx)
{
	remember_file_call(ctx, GUARD_RECORD_FILE_LINK, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3],
			   ctx->args[4]);
	return 0;
}

/* mkdir(path, mode), mkdirat(dfd, path, mode) */
SEC("tracepoint/syscalls/sys_enter_mkdir")
int file_mkdir_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = remember_file_call(ctx, GUARD_RECORD_FILE_MKDIR, AT_FDCWD, ctx->args[0], 0, 0, 0);
	if (slot)
		slot->file.mode = ctx->args[1];
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_mkdirat")
int file_mkdirat_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = remember_file_call(ctx, GUARD_RECORD_FILE_MKDIR, ctx->args[0], ctx->args[1], 0, 0, 0);
	if (slot)
		slot->file.mode = ctx->args[2];
	return 0;
}

/* symlink(target, linkpath), symlinkat(target, newdfd, linkpath): path is
 * the new link, path2 the target exactly as given (it is stored, not
 * followed). */
static __always_inline void remember_symlink(struct syscall_enter_entry *ctx, __s32 dfd, __u64 linkpath, __u64 target)
{
	struct pending_call *slot = remember_file_call(ctx, GUARD_RECORD_FILE_SYMLINK, dfd, linkpath, 0, 0, 0);
	if (slot) {
		slot->upath2 = target;
		slot->path2_len = keep_user_string(slot, 1, (const char *)target);
	}
}

SEC("tracepoint/syscalls/sys_enter_symlink")
int file_symlink_enter(struct syscall_enter_entry *ctx)
{
	remember_symlink(ctx, AT_FDCWD, ctx->args[1], ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_symlinkat")
int file_symlinkat_enter(struct syscall_enter_entry *ctx)
{
	remember_symlink(ctx, ctx->args[1], ctx->args[2], ctx->args[0]);
	return 0;
}

/* A successful open: the path of the file it opened (the struct file the
 * new fd holds), its identity, and the path as given beside it. Returns the
 * offset past the strings, or 0 when there is no file (another thread
 * closed the fd between the open and this exit: the path as given is then
 * all there is). */
static __always_inline __u32 put_opened_file(struct guard_file *rec, struct pending_call *slot, struct file *file)
{
	if (!file)
		return 0;
	struct path path = {};
	path.dentry = file->f_path.dentry;
	path.mnt = file->f_path.mnt;
	if (!path.dentry || !path.mnt)
		return 0;
	struct inode *inode = file->f_inode;
	rec->ino = inode->i_ino;
	rec->dev = inode->i_sb->s_dev;
	if (dentry_deleted(path.dentry))
		rec->header.flags |= GUARD_FILE_DELETED;
	__u32 end = put_kernel_path((struct guard_scratch *)rec, sizeof(*rec), &rec->path, &path, GUARD_FILE_PATH_TRUNCATED);
	/* The path as given, when it is not the same text (most are). Not
	 * read at enter (its page was not in memory then, as a forked child's
	 * string constants often are): now. */
	if (slot->path_len == 0 && slot->upath) {
		slot->path_len = keep_user_string(slot, 0, (const char *)slot->upath);
		if (slot->path_len)
			rec->header.flags |= GUARD_FILE_READ_AT_EXIT;
	}
	__u32 len = rec->path.length;
	rec->path_given.offset = end;
	rec->path_given.length = 0;
	if (slot->path_len == len + 1 &&
	    same_bytes((char *)rec + (rec->path.offset & GUARD_OFFSET_MASK), slot->strings, len))
		return end;
	char *given = (char *)rec + (end & GUARD_OFFSET_MASK);
	rec->path_given.length = copy_kept(given, slot->strings, slot->path_len);
	return end + rec->path_given.length + 1;
}

/* Writes the record of a file call whose header is filled: the result,
 * the arguments kept in slot, the paths. opened: the file a successful open
 * made. path2 is a second path resolved like the first (rename, link), or
 * for a symlink the target exactly as given (it is stored, not followed).
 * The syscalls' exit and io_uring's completion (kern/io_uring.bpf.h) both
 * end here. */
static __always_inline void put_file_record(struct guard_file *rec, struct pending_call *slot, __u16 kind, long ret,
					    struct file *opened)
{
	rec->header.flags |= slot->flags;
	rec->result = ret;
	rec->open_flags = slot->file.open_flags;
	rec->mode = slot->file.mode;
	rec->owner_uid = slot->file.owner_uid;
	rec->owner_gid = slot->file.owner_gid;
	rec->dev = 0;
	rec->reserved = 0;
	rec->ino = 0;
	if (kind == GUARD_RECORD_FILE_OPEN && (slot->file.open_flags & GUARD_OPEN_MODIFIES))
		rec->header.flags |= GUARD_FILE_MODIFY;

	__u32 end = 0;
	if (kind == GUARD_RECORD_FILE_OPEN && ret >= 0) {
		end = put_opened_file(rec, slot, opened);
		enforce_file(&rec->header, GUARD_KILL_OPEN, rec->dev, rec->ino);
	}
	if (!end) {
		/* AT_EMPTY_PATH: an empty path names the dirfd's own file
		 * (fchownat, fchmodat2, linkat; open has no such flag). */
		__u32 how = kind != GUARD_RECORD_FILE_OPEN && (slot->file.open_flags & AT_EMPTY_PATH) ? GUARD_GIVEN_EMPTY_IS_DFD : 0;
		rec->header.flags |= GUARD_FILE_PATH_FROM_USER;
		end = put_given_path((struct guard_scratch *)rec, sizeof(*rec), &rec->path, slot, how);
		put_empty_string(end, &rec->path_given);
	}
	end = forget_offset(rec, end);
	if (kind == GUARD_RECORD_FILE_SYMLINK) {
		if (!slot->path2_len && slot->upath2) {
			slot->path2_len = keep_user_string(slot, 1, (const char *)slot->upath2);
			rec->header.flags |= GUARD_FILE_READ_AT_EXIT;
		}
		rec->path2.offset = end;
		rec->path2.length = copy_kept((char *)rec + (end & GUARD_OFFSET_MASK), slot->strings + GUARD_PENDING_HALF,
					      slot->path2_len);
		end += rec->path2.length + 1;
	} else if (kind == GUARD_RECORD_FILE_RENAME || kind == GUARD_RECORD_FILE_LINK) {
		rec->header.flags |= GUARD_FILE_PATH2_FROM_USER;
		end = put_given_path((struct guard_scratch *)rec, end, &rec->path2, slot, GUARD_GIVEN_PATH2);
	} else {
		put_empty_string(end, &rec->path2);
	}
	submit(&rec->header, end);
}

/* The exit of every file syscall above: one record with the result and the
 * paths.
 *
 * One program serves all of them: the kernel lets a program be attached to
 * any number of tracepoints (one perf event each), and the section lists
 * them. The verifier then checks the path walks once, not once a syscall,
 * which is most of what guard's start-up would otherwise cost. */
SEC("tracepoint/syscalls/"
    "sys_exit_open,sys_exit_creat,sys_exit_openat,sys_exit_openat2,sys_exit_open_by_handle_at,"
    "sys_exit_rename,sys_exit_renameat,sys_exit_renameat2,sys_exit_unlink,sys_exit_unlinkat,"
    "sys_exit_chmod,sys_exit_fchmodat,sys_exit_fchmodat2,sys_exit_chown,sys_exit_lchown,sys_exit_fchownat,"
    "sys_exit_link,sys_exit_linkat,sys_exit_symlink,sys_exit_symlinkat,sys_exit_mkdir,sys_exit_mkdirat")
int file_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot)
		return 0;
	long ret = ctx->ret;
	struct file *opened = kind == GUARD_RECORD_FILE_OPEN ? task_file(ret) : 0;
	/* The prefilter before the header: a record held back costs no more.
	 * The kill rules are checked whether or not the record is written. */
	if (file_held_back(kind, ret, opened, slot->file.open_flags & GUARD_OPEN_MODIFIES, slot->file.open_flags & O_CREAT)) {
		if (opened) {
			struct guard_header unwritten = {};
			enforce_file(&unwritten, GUARD_KILL_OPEN, opened->f_inode->i_sb->s_dev, opened->f_inode->i_ino);
		}
		return 0;
	}
	struct guard_file *rec = scratch_record();
	if (!rec)
		return 0;
	fill_header(&rec->header, kind);
	put_file_record(rec, slot, kind, ret, opened);
	return 0;
}

#endif
