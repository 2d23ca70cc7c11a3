/* SPDX-License-Identifier: GPL-2.0-only */
/* Absolute paths, from the kernel's own objects.
 *
 * The kernel names a file by a struct path: a dentry seen through a mount.
 * Its absolute path is found the way the kernel's d_path() finds it: from
 * the dentry up through d_parent to the root of its mount, then on from the
 * mountpoint in the parent mount, until the process's root (so a process in
 * a chroot or container sees its own paths). Symlinks, "..", dirfds and
 * /proc/self/root were all resolved by the kernel before that struct path
 * existed: what the walk finds is the file, not a spelling of it. The names
 * are written right to left into the scratch's work area, then copied into
 * the record.
 *
 * Two uses. A file the call opened (its struct file) or ran (mm->exe_file)
 * is walked whole. A path the caller gave, for a call that left no object
 * behind (a failed open, an unlink), was copied at enter; when relative, it
 * is joined to the walked path of the directory it was relative to (the cwd
 * or the dirfd's file), provided that directory is still the one the call
 * started from.
 *
 * The walk ends when the path fills GUARD_PATH_MAX bytes (its leading part
 * is then missing, and the record says truncated): every step adds a name,
 * so the byte bound is the real bound, however deep the tree.
 */
#ifndef GUARD_KERN_PATH_BPF_H
#define GUARD_KERN_PATH_BPF_H

#include <linux/fcntl.h>

#include "common.bpf.h"
#include "kernel_types.h"

/* Steps of one walk at most: a name (two bytes at least) or a mount
 * crossing each, so a path that fits GUARD_PATH_MAX is never cut by it. */
#define GUARD_PATH_DEPTH GUARD_PATH_MAX
/* Bytes of one name copied at most (NAME_MAX). */
#define GUARD_NAME_MAX 255

/* Where a path is assembled, right to left, ending at GUARD_WALK_END. */
#define GUARD_WALK_AREA GUARD_SCRATCH_WORK
#define GUARD_WALK_END (GUARD_PATH_MAX - 1)

/* The address of the file open as fd in the current task, or 0: a number,
 * as global functions take kernel addresses. The fd table is an array
 * indexed at run time, so its slot is read with a helper; the rest are
 * plain loads. */
static __always_inline __u64 task_file_address(__s32 fd)
{
	struct fdtable *fdt = current_task_readonly()->files->fdt;
	__u64 file = 0;
	if (fd < 0 || (__u32)fd >= fdt->max_fds)
		return 0;
	bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[fd & 0xfffff]);
	return file;
}

/* The file open as fd in the current task, or NULL. */
static __always_inline struct file *task_file(__s32 fd)
{
	__u64 file = task_file_address(fd);
	return file ? kernel_ptr(struct file, file) : 0;
}

/* The current task's root (pwd == 0) or working directory (pwd != 0). */
static __always_inline void task_fs_path(int pwd, struct path *out)
{
	struct fs_struct *fs = current_task_readonly()->fs;
	out->dentry = pwd ? fs->pwd.dentry : fs->root.dentry;
	out->mnt = pwd ? fs->pwd.mnt : fs->root.mnt;
}

/* The walk's state between steps. It lives on the caller's stack, and
 * bpf_loop hands the callback a pointer to it. Kernel objects are kept as
 * numbers and seen as typed pointers (kernel_ptr) where they are read. */
struct path_walk {
	char *area;          /* the scratch's work area */
	__u32 *startp;       /* where the path starts so far (see below) */
	__u64 dentry;        /* struct dentry: the next name to prepend */
	__u64 mnt;           /* struct mount: the mount dentry is seen through */
	__u64 mnt_root;      /* struct dentry: the top of that mount */
	__u64 root_dentry;   /* the process's root: the walk's end */
	__u64 root_mnt;      /* struct vfsmount */
	int truncated;
};

/* fs/mount.h: a struct mount embeds the struct vfsmount that paths point
 * to; the walk goes from one to the other (container_of, by address). */
static __always_inline __u64 vfsmount_of(__u64 mnt)
{
	return mnt + bpf_core_field_offset(((struct mount *)0)->mnt);
}

static __always_inline __u64 mount_of(__u64 vfsmnt)
{
	return vfsmnt - bpf_core_field_offset(((struct mount *)0)->mnt);
}

/* Copies a name that lives in the dentry's own storage (most do: every
 * name shorter than DNAME_INLINE_LEN) to area + at, with plain loads of 8
 * bytes at a time instead of a helper call, which costs several times
 * more. The last word may run up to 7 bytes past the name, over the part
 * of the path written before: those bytes are put back. Returns 0 when the
 * name is not inline (the caller copies it with a helper). */
static __always_inline int copy_inline_name(struct path_walk *w, struct dentry *dentry, __u64 name, __u32 len,
					    __u32 at)
{
	__u64 words[5] = {};
	__u32 size;
	if (bpf_core_field_exists(dentry->d_shortname)) {
		size = bpf_core_field_size(dentry->d_shortname);
		if (name != w->dentry + bpf_core_field_offset(dentry->d_shortname))
			return 0;
		words[0] = dentry->d_shortname.words[0];
		words[1] = dentry->d_shortname.words[1];
		words[2] = dentry->d_shortname.words[2];
		words[3] = dentry->d_shortname.words[3];
		if (size > 32)
			words[4] = dentry->d_shortname.words[4];
	} else if (bpf_core_field_exists(dentry->d_iname)) {
		size = bpf_core_field_size(dentry->d_iname);
		if (name != w->dentry + bpf_core_field_offset(dentry->d_iname))
			return 0;
		words[0] = dentry->d_iname[0];
		words[1] = dentry->d_iname[1];
		words[2] = dentry->d_iname[2];
		words[3] = dentry->d_iname[3];
	} else {
		return 0;
	}
	if (len >= size)
		return 0;
	char *end = w->area + ((at + len) & (GUARD_PATH_MAX - 1));
	__u64 after = *(__u64 *)end;
	for (int k = 0; k < 5; k++)
		if (k * 8 < len)
			*(__u64 *)(w->area + ((at + k * 8) & (GUARD_PATH_MAX - 1))) = words[k];
	*(__u64 *)end = after;
	return 1;
}

/* Prepends "/name" of dentry; returns 0 when there was no room. */
static __always_inline int prepend_name(struct path_walk *w, struct dentry *dentry)
{
	__u32 len = dentry->d_name.len;
	__u64 name = (__u64)dentry->d_name.name;
	/* Where the path starts so far lives in memory, not in a register or
	 * on the stack: the verifier then knows nothing of it at any step, so
	 * every step looks the same to it and one check covers them all. */
	__u32 start = *w->startp;
	if (len > GUARD_NAME_MAX)
		len = GUARD_NAME_MAX;
	if (start > GUARD_WALK_END || len + 1 > start)
		return 0;
	start -= len;
	if (!copy_inline_name(w, dentry, name, len, start))
		bpf_probe_read_kernel(w->area + (start & (GUARD_PATH_MAX - 1)), len & GUARD_NAME_MAX, (void *)name);
	start -= 1;
	w->area[start & (GUARD_PATH_MAX - 1)] = '/';
	*w->startp = start;
	return 1;
}

/* One step of the walk: prepend one name, or cross one mount. Returns 1 to
 * stop, 0 to go on. bpf_loop calls it at most GUARD_PATH_DEPTH times, and
 * the verifier checks it once for every call, not once per step as it
 * would an unrolled or bounded loop: that is most of guard's start-up.
 * The fields are plain loads (kernel_ptr): a fault reads 0, and each costs
 * a memory access, where a bpf_probe_read_kernel is a helper call. */
static long walk_step(__u64 index, struct path_walk *w)
{
	(void)index;
	if (w->dentry == w->root_dentry && vfsmount_of(w->mnt) == w->root_mnt) {
		w->truncated = 0;
		return 1;
	}
	if (w->dentry == w->mnt_root) {
		/* The top of this mount: go on from where it is mounted. */
		struct mount *mnt = kernel_ptr(struct mount, w->mnt);
		__u64 parent = (__u64)mnt->mnt_parent;
		if (parent == w->mnt || !parent) { /* the top of the mount tree */
			w->truncated = 0;
			return 1;
		}
		w->dentry = (__u64)mnt->mnt_mountpoint;
		w->mnt = parent;
		w->mnt_root = (__u64)kernel_ptr(struct mount, parent)->mnt.mnt_root;
		return 0;
	}
	struct dentry *dentry = kernel_ptr(struct dentry, w->dentry);
	__u64 parent = (__u64)dentry->d_parent;
	if (!prepend_name(w, dentry))
		return 1; /* no room: truncated */
	if (parent == w->dentry || !parent) {
		/* A dentry with no parent that is no mount's top: a file made
		 * by the kernel for an fd alone (a memfd, an anonymous inode).
		 * Its name is all there is, as d_path() shows it. */
		w->truncated = 0;
		return 1;
	}
	w->dentry = parent;
	return 0;
}

/* walk_path's result: where the path starts in the work area, and a flag. */
#define GUARD_WALK_TRUNCATED (1 << 16)

/* put_kernel_path's truncated_flag may carry this: walk on past the
 * process's root, up to the top of its mount namespace (after a chroot,
 * the new root as the rest of the system names it). */
#define GUARD_WALK_PAST_ROOT (1u << 31)

/* Writes the absolute path of `path` into the work area, ending
 * at GUARD_WALK_END, and returns where it starts (start == GUARD_WALK_END
 * for the process's root itself), with GUARD_WALK_TRUNCATED when the walk
 * ran out of room before it reached the root (with past_root: the top of
 * the mount namespace). A global function (see put_kernel_path): its loop
 * is verified once, whoever walks. */
__noinline int walk_path(struct guard_scratch *scratch, struct path *path, __u32 past_root)
{
	if (!scratch || !path)
		return GUARD_WALK_END;
	/* Read from memory the verifier only knows as bytes: plain numbers. */
	__u64 dentry = (__u64)path->dentry, mnt = (__u64)path->mnt;
	char *area = (char *)scratch;
	struct fs_struct *fs = current_task_readonly()->fs;
	struct path_walk w = {};
	w.area = area + GUARD_WALK_AREA;
	w.startp = (__u32 *)(area + GUARD_SCRATCH_CURSOR);
	w.dentry = dentry;
	w.mnt = mount_of(mnt);
	w.mnt_root = (__u64)kernel_ptr(struct vfsmount, mnt)->mnt_root;
	w.root_dentry = past_root ? 0 : (__u64)fs->root.dentry;
	w.root_mnt = past_root ? 0 : (__u64)fs->root.mnt;
	w.truncated = 1;
	*w.startp = GUARD_WALK_END;
	bpf_loop(GUARD_PATH_DEPTH, walk_step, &w, 0);
	return (*w.startp & (GUARD_PATH_MAX - 1)) | (w.truncated ? GUARD_WALK_TRUNCATED : 0);
}

/* Copies the walked path (from start to GUARD_WALK_END) into the record at
 * dst; "/" for the root itself. Returns its length. */
static __always_inline __u32 copy_walked(void *rec, char *dst, __u32 start)
{
	__u32 len = (GUARD_WALK_END - start) & (GUARD_PATH_MAX - 1);
	if (len == 0) {
		dst[0] = '/';
		return 1;
	}
	bpf_probe_read_kernel(dst, len, (char *)rec + GUARD_WALK_AREA + (start & (GUARD_PATH_MAX - 1)));
	return len;
}

/* Writes the absolute path of `path` into the record at offset as string s
 * (flagging truncated_flag when its walk was cut short). Returns the offset
 * just past the string's NUL, forgotten (forget_offset): what follows is
 * verified once, not once for each way the path was found.
 *
 * A global function (not static, not inlined): the verifier checks it once,
 * on its own, with nothing known of its arguments but their types, instead
 * of once at every call and for every way a caller got there. Its callers
 * pass the scratch as a struct guard_scratch, so that it may reach all of
 * it. */
__noinline int put_kernel_path(struct guard_scratch *scratch, __u32 offset, struct guard_string *s, struct path *path,
			       __u32 truncated_flag)
{
	if (!scratch || !s || !path)
		return offset;
	void *rec = scratch;
	struct guard_header *h = rec;
	__u32 walked = walk_path(scratch, path, truncated_flag & GUARD_WALK_PAST_ROOT);
	if (walked & GUARD_WALK_TRUNCATED)
		h->flags |= truncated_flag & 0xffff;
	__u32 start = walked & (GUARD_PATH_MAX - 1);
	char *dst = (char *)rec + (offset & GUARD_OFFSET_MASK);
	__u32 len = copy_walked(rec, dst, start) & (GUARD_PATH_MAX - 1);
	dst[len] = 0;
	s->offset = offset;
	s->length = len;
	return forget_offset(rec, offset + len + 1);
}

/* Whether a dentry has lost its name: unlinked after it was opened, or made
 * nameless (O_TMPFILE). d_path() marks such a path " (deleted)". */
static __always_inline int dentry_deleted(struct dentry *dentry)
{
	return !dentry->d_hash.pprev && dentry->d_parent != dentry;
}

/* What a relative path was relative to, as a number to compare: the struct
 * file open as dfd, or the cwd's dentry (AT_FDCWD). The same number at
 * enter and at exit means the same directory (the fd table or the fs_struct
 * holds it, so it cannot have been freed and reused meanwhile). */
static __always_inline __u64 dir_identity(__s32 dfd)
{
	if (dfd == AT_FDCWD)
		return (__u64)current_task_readonly()->fs->pwd.dentry;
	return (__u64)task_file(dfd);
}

/* The directory dfd names now, or {0} when there is none. */
static __always_inline void dir_path(__s32 dfd, struct path *dir)
{
	if (dfd == AT_FDCWD) {
		task_fs_path(1, dir);
	} else {
		struct file *file = task_file(dfd);
		if (file) {
			dir->dentry = file->f_path.dentry;
			dir->mnt = file->f_path.mnt;
		}
	}
}

/* Copies the string kept at enter in the slot (n bytes, NUL included) into
 * the record at dst; returns its length without the NUL. */
static __always_inline __u32 copy_kept(char *dst, const char *kept, __u32 n)
{
	if (n == 0) {
		dst[0] = 0;
		return 0;
	}
	bpf_probe_read_kernel(dst, n & (GUARD_PATH_MAX - 1), kept);
	return n - 1;
}

/* put_given_path's `how`: which of the slot's paths, and whether an empty
 * path names the dirfd's own file (AT_EMPTY_PATH). */
#define GUARD_GIVEN_PATH2 1
#define GUARD_GIVEN_EMPTY_IS_DFD 2

/* Writes a path the caller gave (kept at enter in the slot: path, or path2
 * with GUARD_GIVEN_PATH2) into the record at offset as string s: as it was,
 * or when relative, joined to the absolute path of the directory it was
 * relative to. Flags the file record's *_UNRESOLVED when that directory is
 * unknown or is no longer the one it was at enter (another thread changed
 * the cwd or the dirfd meanwhile: the path is then reported as given), and
 * *_TRUNCATED when it did not fit. With GUARD_GIVEN_EMPTY_IS_DFD an empty
 * path names the dirfd's own file, whose path is then walked. Returns the
 * offset past the string's NUL, forgotten. A global function, as
 * put_kernel_path. */
__noinline int put_given_path(struct guard_scratch *scratch, __u32 offset, struct guard_string *s,
			      struct pending_call *slot, __u32 how)
{
	if (!scratch || !s || !slot)
		return offset;
	void *rec = scratch;
	struct guard_header *h = rec;
	int half = how & GUARD_GIVEN_PATH2;
	__u16 truncated_flag = half ? GUARD_FILE_PATH2_TRUNCATED : GUARD_FILE_PATH_TRUNCATED;
	__u16 unresolved_flag = half ? GUARD_FILE_PATH2_UNRESOLVED : GUARD_FILE_PATH_UNRESOLVED;
	const char *kept = slot->strings + (half ? GUARD_PENDING_HALF : 0);
	__u32 n = half ? slot->path2_len : slot->path_len;
	__u64 user = half ? slot->upath2 : slot->upath;
	if (n == 0 && user) {
		/* Not read at enter (its page was not in memory then): now. */
		n = keep_user_string(slot, half, (const char *)user);
		if (n)
			h->flags |= GUARD_FILE_READ_AT_EXIT;
	}
	__s32 dfd = half ? slot->dfd2 : slot->dfd;
	__u64 dir_at_enter = half ? slot->dir2 : slot->dir;
	char *dst = (char *)rec + (offset & GUARD_OFFSET_MASK);
	s->offset = offset;

	int relative = n > 1 && kept[0] != '/';
	int empty = n == 1 && (how & GUARD_GIVEN_EMPTY_IS_DFD);
	struct path dir = {};
	if ((relative || empty) && dir_identity(dfd) == dir_at_enter)
		dir_path(dfd, &dir);
	if (empty && dir.dentry && dir.mnt)
		return put_kernel_path(scratch, offset, s, &dir, truncated_flag);
	if (!relative || !dir.dentry || !dir.mnt) {
		if (relative)
			h->flags |= unresolved_flag;
		__u32 len = copy_kept(dst, kept, n);
		s->length = len;
		return forget_offset(rec, offset + len + 1);
	}

	__u32 walked = walk_path(scratch, &dir, 0);
	if (walked & GUARD_WALK_TRUNCATED)
		h->flags |= truncated_flag;
	__u32 start = walked & (GUARD_PATH_MAX - 1);
	/* The directory's path, then '/', then the path as given. */
	__u32 dir_len = (GUARD_WALK_END - start) & (GUARD_PATH_MAX - 1);
	bpf_probe_read_kernel(dst, dir_len, (char *)rec + GUARD_WALK_AREA + (start & (GUARD_PATH_MAX - 1)));
	char *rest = dst + dir_len;
	rest[0] = '/';
	/* At most what is left of GUARD_PATH_MAX after the directory and '/'. */
	__u32 room = GUARD_PATH_MAX - 1 - dir_len;
	if (n > room) {
		n = room;
		h->flags |= truncated_flag;
	}
	bpf_probe_read_kernel(rest + 1, n & (GUARD_PATH_MAX - 1), kept);
	rest[n & (GUARD_PATH_MAX - 1)] = 0;
	s->length = dir_len + n;
	return forget_offset(rec, offset + dir_len + 1 + n);
}

/* Notes in the slot that its half `half` holds n bytes (NUL included) of
 * a path given relative to dfd, and when it is relative, which directory
 * that is now. */
static __always_inline void note_kept_path(struct pending_call *slot, int half, __s32 dfd, __u16 n)
{
	__u64 dir = 0;
	if (n > 0 && slot->strings[half ? GUARD_PENDING_HALF : 0] != '/')
		dir = dir_identity(dfd);
	if (half) {
		slot->path2_len = n;
		slot->dfd2 = dfd;
		slot->dir2 = dir;
	} else {
		slot->path_len = n;
		slot->dfd = dfd;
		slot->dir = dir;
	}
}

/* At enter: keeps the user path src in the slot's half `half`. */
static __always_inline void keep_path(struct pending_call *slot, int half, __s32 dfd, const char *src)
{
	note_kept_path(slot, half, dfd, keep_user_string(slot, half, src));
}

#endif
