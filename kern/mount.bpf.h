/* SPDX-License-Identifier: GPL-2.0-only */
/* Privilege and tamper signals, continued (kern/privilege.bpf.h): mount,
 * umount2, pivot_root, chroot, unshare and setns. Programs of the privilege
 * family (priv_). The paths are the caller's, read at enter and made
 * absolute against the cwd, except chroot's new root on success, walked
 * from fs->root past the process's own root; setns's namespace is its
 * file's inode.
 */
#ifndef GUARD_KERN_MOUNT_BPF_H
#define GUARD_KERN_MOUNT_BPF_H

#include <linux/fcntl.h>
#include <linux/sched.h>

#include "common.bpf.h"
#include "path.bpf.h"
#include "privilege.bpf.h"

/* Bytes at the end of the slot's second half that hold mount's fstype. */
#define GUARD_FSTYPE_MAX 64
#define GUARD_FSTYPE_AT (GUARD_PENDING_STRINGS - GUARD_FSTYPE_MAX)

static __always_inline struct pending_call *remember_mount_call(struct syscall_enter_entry *ctx, __u16 kind,
								__u64 flags, __s32 fd)
{
	struct pending_call *slot = begin_call(ctx, kind);
	if (!slot)
		return 0;
	slot->mount.flags = flags;
	slot->dfd = AT_FDCWD;
	slot->mount.fd = fd;
	return slot;
}

/* mount(source, target, fstype, flags, data). The source is kept as given
 * (a device, a directory, or a name such as "proc"), the fstype after it. */
SEC("tracepoint/syscalls/sys_enter_mount")
int priv_mount_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = remember_mount_call(ctx, GUARD_RECORD_MOUNT, ctx->args[3], -1);
	if (!slot)
		return 0;
	slot->upath = ctx->args[1];
	keep_path(slot, 0, AT_FDCWD, (const char *)ctx->args[1]);
	long n = bpf_probe_read_user_str(slot->strings + GUARD_PENDING_HALF, GUARD_PENDING_HALF - GUARD_FSTYPE_MAX,
					 (const char *)ctx->args[0]);
	slot->path2_len = n > 0 ? n : 0;
	n = bpf_probe_read_user_str(slot->strings + GUARD_FSTYPE_AT, GUARD_FSTYPE_MAX, (const char *)ctx->args[2]);
	slot->mount.fstype_len = n > 0 ? n : 0;
	return 0;
}

/* umount2(target, flags): the syscall is named umount. */
SEC("tracepoint/syscalls/sys_enter_umount")
int priv_umount_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = remember_mount_call(ctx, GUARD_RECORD_UMOUNT, ctx->args[1], -1);
	if (slot) {
		slot->upath = ctx->args[0];
		keep_path(slot, 0, AT_FDCWD, (const char *)ctx->args[0]);
	}
	return 0;
}

/* pivot_root(new_root, put_old) */
SEC("tracepoint/syscalls/sys_enter_pivot_root")
int priv_pivot_root_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = remember_mount_call(ctx, GUARD_RECORD_PIVOT_ROOT, 0, -1);
	if (!slot)
		return 0;
	slot->upath = ctx->args[0];
	slot->upath2 = ctx->args[1];
	keep_path(slot, 0, AT_FDCWD, (const char *)ctx->args[0]);
	keep_path(slot, 1, AT_FDCWD, (const char *)ctx->args[1]);
	return 0;
}

/* chroot(path) */
SEC("tracepoint/syscalls/sys_enter_chroot")
int priv_chroot_enter(struct syscall_enter_entry *ctx)
{
	struct pending_call *slot = remember_mount_call(ctx, GUARD_RECORD_CHROOT, 0, -1);
	if (slot) {
		slot->upath = ctx->args[0];
		keep_path(slot, 0, AT_FDCWD, (const char *)ctx->args[0]);
	}
	return 0;
}

/* The flags of unshare that make a new namespace. */
#define GUARD_CLONE_NEWNS_ALL (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			       CLONE_NEWPID | CLONE_NEWNET | 0x80 /* CLONE_NEWTIME */)

/* unshare(flags): only when it makes a namespace. */
SEC("tracepoint/syscalls/sys_enter_unshare")
int priv_unshare_enter(struct syscall_enter_entry *ctx)
{
	if (ctx->args[0] & GUARD_CLONE_NEWNS_ALL)
		remember_mount_call(ctx, GUARD_RECORD_NAMESPACE, ctx->args[0], -1);
	return 0;
}

/* setns(fd, nstype) */
SEC("tracepoint/syscalls/sys_enter_setns")
int priv_setns_enter(struct syscall_enter_entry *ctx)
{
	remember_mount_call(ctx, GUARD_RECORD_NAMESPACE, ctx->args[1], ctx->args[0]);
	return 0;
}

/* The record's path: chroot's new root walked from fs->root, or the path
 * as given (namespace: none). */
static __always_inline __u32 put_mount_path(struct guard_mount *rec, __u16 kind, struct pending_call *slot, __s64 ret)
{
	if (kind == GUARD_RECORD_NAMESPACE) {
		put_empty_string(sizeof(*rec), &rec->path);
		return sizeof(*rec);
	}
	if (kind == GUARD_RECORD_CHROOT && ret == 0) {
		struct path root = {};
		task_fs_path(0, &root);
		return put_kernel_path((struct guard_scratch *)rec, sizeof(*rec), &rec->path, &root,
				       GUARD_MOUNT_PATH_TRUNCATED | GUARD_WALK_PAST_ROOT);
	}
	rec->header.flags |= GUARD_MOUNT_PATH_FROM_USER;
	return put_given_path((struct guard_scratch *)rec, sizeof(*rec), &rec->path, slot, 0);
}

SEC("tracepoint/syscalls/"
    "sys_exit_mount,sys_exit_umount,sys_exit_pivot_root,sys_exit_chroot,sys_exit_unshare,sys_exit_setns")
int priv_mount_exit(struct syscall_exit_entry *ctx)
{
	__u16 kind = 0;
	struct pending_call *slot = take_syscall(ctx, &kind);
	if (!slot || kind < GUARD_RECORD_MOUNT || kind > GUARD_RECORD_NAMESPACE)
		return 0;
	struct guard_mount *rec = call_record(ctx, kind);
	if (!rec)
		return 0;
	rec->flags = slot->mount.flags;
	rec->fd = slot->mount.fd;
	struct file *ns_file = kind == GUARD_RECORD_NAMESPACE ? task_file(slot->mount.fd) : 0;
	rec->ns_ino = ns_file ? ns_file->f_inode->i_ino : 0;
	rec->reserved2 = 0;
	__u32 end = forget_offset(rec, put_mount_path(rec, kind, slot, ctx->ret));
	if (kind == GUARD_RECORD_PIVOT_ROOT) {
		rec->header.flags |= GUARD_MOUNT_PATH2_FROM_USER;
		end = put_given_path((struct guard_scratch *)rec, end, &rec->path2, slot, GUARD_GIVEN_PATH2);
	} else if (kind == GUARD_RECORD_MOUNT) {
		end = put_kept(rec, end, &rec->path2, slot, 1, GUARD_MOUNT_PATH2_FROM_USER);
	} else {
		put_empty_string(end, &rec->path2);
	}
	end = forget_offset(rec, end);
	rec->fstype.offset = end;
	rec->fstype.length = 0;
	if (kind == GUARD_RECORD_MOUNT) {
		rec->fstype.length = copy_kept((char *)rec + (end & GUARD_OFFSET_MASK), slot->strings + GUARD_FSTYPE_AT,
					       slot->mount.fstype_len);
		rec->header.flags |= rec->fstype.length ? GUARD_MOUNT_FSTYPE_FROM_USER : 0;
		end += rec->fstype.length + 1;
	}
	submit(&rec->header, end);
	return 0;
}

#endif
