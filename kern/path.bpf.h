/* SPDX-License-Identifier: GPL-2.0-only */
/* Absolute paths for the file events.
 *
 * A path that starts with '/' is copied as given. Any other is relative to
 * a directory: the cwd (dfd == AT_FDCWD) or the directory open as dfd. That
 * directory's own absolute path is found the way the kernel's d_path() does
 * it: from its dentry up through d_parent to the root of its mount, then on
 * from the mountpoint in the parent mount, until the process's root (so a
 * process in a chroot or container sees its own paths). The names are
 * written right to left into the spare half of the scratch buffer, then
 * copied into the record, followed by '/' and the path as given.
 *
 * The walk is bounded (GUARD_PATH_DEPTH steps); a path deeper than that, or
 * longer than GUARD_PATH_MAX, keeps its last components and is flagged
 * truncated. When the directory cannot be found (a bad dfd), the path is
 * kept as given and flagged unresolved.
 */
#ifndef GUARD_KERN_PATH_BPF_H
#define GUARD_KERN_PATH_BPF_H

#include <linux/fcntl.h>

#include "common.bpf.h"
#include "kernel_types.h"

/* Dentries and mount crossings walked at most for one directory. */
#define GUARD_PATH_DEPTH 32
/* Bytes of one name copied at most (NAME_MAX). */
#define GUARD_NAME_MAX 255

/* Where the directory's path is assembled, right to left: the scratch's
 * upper half, which no record reaches. Its end is GUARD_DIR_END. */
#define GUARD_DIR_AREA GUARD_RECORD_MAX
#define GUARD_DIR_END (GUARD_PATH_MAX - 1)

/* The file open as fd in the current task, or NULL. The fd table is an
 * array indexed at run time, so it is read with a helper, not a plain load. */
static __always_inline struct file *task_file(struct task_struct *task, __s32 fd)
{
	struct fdtable *fdt = GUARD_CORE_READ(task, files, fdt);
	struct file **fds = GUARD_CORE_READ(fdt, fd);
	struct file *file = 0;
	if (fd < 0 || (__u32)fd >= GUARD_CORE_READ(fdt, max_fds))
		return 0;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd & 0xfffff]);
	return file;
}

/* struct mount embeds the struct vfsmount that paths point to. */
static __always_inline struct mount *real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((char *)vfsmnt - bpf_core_field_offset(((struct mount *)0)->mnt));
}

/* The walk's state between steps. It lives on the caller's stack, and
 * bpf_loop hands the callback a pointer to it. */
struct dir_walk {
	char *area;               /* the scratch's dir area */
	__u32 *startp;            /* where the path starts so far (see below) */
	struct dentry *dentry;    /* the next name to prepend */
	struct vfsmount *vfsmnt;  /* the mount dentry is seen through */
	struct mount *mnt;
	struct dentry *mnt_root;  /* the top of that mount */
	struct dentry *root_dentry; /* the process's root: the walk's end */
	struct vfsmount *root_mnt;
	int truncated;
};

/* One step of the walk: prepend one name, or cross one mount. Returns 1 to
 * stop, 0 to go on. bpf_loop calls it at most GUARD_PATH_DEPTH times, and
 * the verifier checks it once for every call, not once per step as it
 * would an unrolled or bounded loop: that is most of guard's start-up. */
static long dir_step(__u64 index, struct dir_walk *w)
{
	(void)index;
	struct dentry *dentry = w->dentry;
	if (dentry == w->root_dentry && w->vfsmnt == w->root_mnt) {
		w->truncated = 0;
		return 1;
	}
	if (dentry == w->mnt_root) {
		/* The top of this mount: go on from where it is mounted. */
		struct mount *mnt = w->mnt;
		struct mount *parent = GUARD_CORE_READ(mnt, mnt_parent);
		if (parent == mnt || !parent) { /* the top of the mount tree */
			w->truncated = 0;
			return 1;
		}
		struct vfsmount *vfsmnt =
			(struct vfsmount *)((char *)parent + bpf_core_field_offset(((struct mount *)0)->mnt));
		w->dentry = GUARD_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = parent;
		w->vfsmnt = vfsmnt;
		w->mnt_root = GUARD_CORE_READ(vfsmnt, mnt_root);
		return 0;
	}
	struct dentry *parent = GUARD_CORE_READ(dentry, d_parent);
	if (parent == dentry || !parent) { /* a filesystem's root mounted nowhere we can see */
		w->truncated = 0;
		return 1;
	}
	struct qstr name;
	GUARD_CORE_READ_INTO(&name, dentry, d_name);
	__u32 len = name.len;
	/* Where the path starts so far lives in memory, not in a register or
	 * on the stack: the verifier then knows nothing of it at any step, so
	 * every step looks the same to it and one check covers them all. */
	__u32 start = *w->startp;
	if (len > GUARD_NAME_MAX)
		len = GUARD_NAME_MAX;
	if (start > GUARD_DIR_END || len + 1 > start)
		return 1; /* no room: truncated */
	start -= len;
	bpf_probe_read_kernel(w->area + (start & (GUARD_PATH_MAX - 1)), len & GUARD_NAME_MAX, name.name);
	start -= 1;
	w->area[start & (GUARD_PATH_MAX - 1)] = '/';
	*w->startp = start;
	w->dentry = parent;
	return 0;
}

/* Writes the absolute path of dir into the scratch's dir area, ending at
 * GUARD_DIR_END, and returns where it starts (start == GUARD_DIR_END for
 * the root itself). Sets *truncated when the walk did not reach the root.
 * Every step is a bpf_probe_read_kernel (GUARD_CORE_READ): a dentry found by
 * walking is a plain number to the verifier, not a typed pointer. */
static __always_inline __u32 write_dir_path(char *scratch, struct path *dir, struct path *root, int *truncated)
{
	struct dir_walk w = {};
	w.area = scratch + GUARD_DIR_AREA;
	w.startp = (__u32 *)(scratch + GUARD_SCRATCH_CURSOR);
	w.dentry = dir->dentry;
	w.vfsmnt = dir->mnt;
	w.mnt = real_mount(dir->mnt);
	w.mnt_root = GUARD_CORE_READ(dir->mnt, mnt_root);
	w.root_dentry = root->dentry;
	w.root_mnt = root->mnt;
	w.truncated = 1;
	*w.startp = GUARD_DIR_END;
	bpf_loop(GUARD_PATH_DEPTH, dir_step, &w, 0);
	*truncated = w.truncated;
	return *w.startp & (GUARD_PATH_MAX - 1);
}

/* Writes the absolute form of the user path `src` (relative to dfd) into the
 * record at offset, points s at it, and sets truncated_flag or
 * unresolved_flag in the record's header when they apply. Returns the offset
 * just past the string's NUL, forgotten (forget_offset): what follows is
 * verified once, not once for each way the path was found. */
static __always_inline __u32 put_path(void *rec, __u32 offset, __s32 dfd, const char *src, struct guard_string *s,
				      __u16 truncated_flag, __u16 unresolved_flag)
{
	struct guard_header *h = rec;
	/* Most paths are absolute: copy first, and look at what came. */
	__u32 end = put_user_string(rec, offset, src, GUARD_PATH_MAX, s);
	if (((char *)rec)[offset & GUARD_OFFSET_MASK] == '/')
		return forget_offset(rec, end);

	struct task_struct *task = (void *)bpf_get_current_task();
	struct path dir = {}, root = {};
	struct fs_struct *fs = GUARD_CORE_READ(task, fs);
	GUARD_CORE_READ_INTO(&root, fs, root);
	if (dfd == AT_FDCWD) {
		GUARD_CORE_READ_INTO(&dir, fs, pwd);
	} else {
		struct file *file = task_file(task, dfd);
		if (file)
			GUARD_CORE_READ_INTO(&dir, file, f_path);
	}
	if (!dir.dentry || !dir.mnt) {
		h->flags |= unresolved_flag; /* the path as given, already copied */
		return forget_offset(rec, end);
	}

	int truncated = 0;
	__u32 start = write_dir_path(rec, &dir, &root, &truncated);
	if (truncated)
		h->flags |= truncated_flag;

	/* The directory's path, then '/', then the path as given. */
	char *dst = (char *)rec + (offset & GUARD_OFFSET_MASK);
	__u32 dir_len = (GUARD_DIR_END - start) & (GUARD_PATH_MAX - 1);
	bpf_probe_read_kernel(dst, dir_len, (char *)rec + GUARD_DIR_AREA + (start & (GUARD_PATH_MAX - 1)));
	char *rest = dst + dir_len;
	rest[0] = '/';
	/* The directory went where the path was: read the path again after it. */
	__u32 room = GUARD_PATH_MAX - 1 - dir_len;
	long n = bpf_probe_read_user_str(rest + 1, room & (GUARD_PATH_MAX - 1), src);
	if (n < 1) {
		rest[1] = 0;
		n = 1;
	}
	if ((__u32)n == room)
		h->flags |= truncated_flag; /* the given path did not fit after the directory */
	s->offset = offset;
	s->length = dir_len + n; /* '/' and the name, without its NUL */
	return forget_offset(rec, offset + dir_len + 1 + n);
}

#endif
