// SPDX-License-Identifier: GPL-2.0-or-later
/* file_ops: makes the file syscalls guard reports, each through the exact
 * system call named (syscall(2), not libc's choice), so that end-to-end
 * tests can find the record each one causes.
 *
 *   file_ops OP ARGS... [OP ARGS...]
 *
 * Two more set the stage: "unshare-mount" gives the process a mount namespace
 * of its own (nothing it mounts is seen outside, and it all goes when it
 * exits), "bind SRC DST" bind-mounts SRC at DST there.
 *
 * "openat-unfaulted DIR PATH FLAGS MODE" is openat with PATH on a page not yet
 * in memory (a fresh private mapping of a file holding it, never touched
 * before the call): the kernel faults it in, a BPF program at the syscall's
 * enter cannot.
 *
 * "open-by-handle PATH" opens PATH's file by its handle: name_to_handle_at,
 * then open_by_handle_at (read only) with PATH's directory as the mount fd.
 * "mkdir PATH MODE" makes a directory.
 *
 * DIR arguments are "-" for AT_FDCWD, "fd:N" for the number N as it is, or a
 * directory, opened O_PATH as the dirfd. Prints one line per operation: "<op> ret=<return> errno=<errno>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static int dirfd_of(const char *arg)
{
	if (strcmp(arg, "-") == 0)
		return AT_FDCWD;
	if (strncmp(arg, "fd:", 3) == 0) /* a raw number, open or not */
		return atoi(arg + 3);
	int fd = open(arg, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "file_ops: open %s: %s\n", arg, strerror(errno));
		exit(2);
	}
	return fd;
}

static long num(const char *arg) { return strtol(arg, NULL, 0); }

/* path, NUL-terminated, at the start of a page no one has touched yet. */
static const char *unfaulted_copy(const char *path)
{
	char name[] = "/tmp/file_ops-XXXXXX";
	int fd = mkstemp(name);
	if (fd < 0 || write(fd, path, strlen(path) + 1) != (ssize_t)(strlen(path) + 1)) {
		fprintf(stderr, "file_ops: %s: %s\n", name, strerror(errno));
		exit(2);
	}
	/* Out of the page cache too, so that nothing maps it in early. */
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	unlink(name);
	close(fd);
	if (page == MAP_FAILED) {
		fprintf(stderr, "file_ops: mmap: %s\n", strerror(errno));
		exit(2);
	}
	return page;
}

/* open_by_handle_at of PATH's file, named by the handle name_to_handle_at
 * gives: no path reaches the open. */
static long open_by_handle(const char *path)
{
	union {
		struct file_handle handle;
		char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	int mount_id;
	h.handle.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, &h.handle, &mount_id, 0) != 0) {
		fprintf(stderr, "file_ops: name_to_handle_at %s: %s\n", path, strerror(errno));
		exit(2);
	}
	/* Any file on the same mount serves as the mount fd: PATH's directory. */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = 0;
	int mount_fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return syscall(SYS_open_by_handle_at, mount_fd, &h.handle, O_RDONLY);
}

static void usage(void)
{
	fprintf(stderr, "usage: file_ops OP ARGS... (chdir DIR | unshare-mount | bind SRC DST |\n"
			"  open PATH FLAGS MODE | creat PATH MODE |\n"
			"  openat DIR PATH FLAGS MODE | openat-unfaulted DIR PATH FLAGS MODE |\n"
			"  openat2 DIR PATH FLAGS MODE | open-by-handle PATH | mkdir PATH MODE | rename OLD NEW |\n"
			"  renameat DIR OLD DIR NEW | renameat2 DIR OLD DIR NEW FLAGS | unlink PATH |\n"
			"  unlinkat DIR PATH FLAGS | chmod PATH MODE | fchmodat DIR PATH MODE |\n"
			"  chown PATH UID GID | lchown PATH UID GID | fchownat DIR PATH UID GID FLAGS |\n"
			"  link OLD NEW | linkat DIR OLD DIR NEW FLAGS | symlink TARGET PATH |\n"
			"  symlinkat TARGET DIR PATH)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i = 1;
	while (i < argc) {
		const char *op = argv[i++];
		char **a = argv + i;
		int left = argc - i;
		long ret;
		int need;
#define NEED(n) do { need = (n); if (left < need) usage(); } while (0)
		if (strcmp(op, "chdir") == 0) {
			NEED(1);
			ret = chdir(a[0]);
		} else if (strcmp(op, "unshare-mount") == 0) {
			NEED(0);
			ret = unshare(CLONE_NEWNS);
			if (ret == 0)
				ret = mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		} else if (strcmp(op, "bind") == 0) {
			NEED(2);
			ret = mount(a[0], a[1], NULL, MS_BIND, NULL);
		} else if (strcmp(op, "open") == 0) {
			NEED(3);
			ret = syscall(SYS_open, a[0], num(a[1]), num(a[2]));
		} else if (strcmp(op, "creat") == 0) {
			NEED(2);
			ret = syscall(SYS_creat, a[0], num(a[1]));
		} else if (strcmp(op, "openat") == 0) {
			NEED(4);
			ret = syscall(SYS_openat, dirfd_of(a[0]), a[1], num(a[2]), num(a[3]));
		} else if (strcmp(op, "openat-unfaulted") == 0) {
			NEED(4);
			ret = syscall(SYS_openat, dirfd_of(a[0]), unfaulted_copy(a[1]), num(a[2]), num(a[3]));
		} else if (strcmp(op, "openat2") == 0) {
			NEED(4);
			struct open_how how = {.flags = (unsigned long)num(a[2]), .mode = (unsigned long)num(a[3])};
			ret = syscall(SYS_openat2, dirfd_of(a[0]), a[1], &how, sizeof(how));
		} else if (strcmp(op, "open-by-handle") == 0) {
			NEED(1);
			ret = open_by_handle(a[0]);
		} else if (strcmp(op, "mkdir") == 0) {
			NEED(2);
			ret = syscall(SYS_mkdir, a[0], num(a[1]));
		} else if (strcmp(op, "rename") == 0) {
			NEED(2);
			ret = syscall(SYS_rename, a[0], a[1]);
		} else if (strcmp(op, "renameat") == 0) {
			NEED(4);
			ret = syscall(SYS_renameat, dirfd_of(a[0]), a[1], dirfd_of(a[2]), a[3]);
		} else if (strcmp(op, "renameat2") == 0) {
			NEED(5);
			ret = syscall(SYS_renameat2, dirfd_of(a[0]), a[1], dirfd_of(a[2]), a[3], num(a[4]));
		} else if (strcmp(op, "unlink") == 0) {
			NEED(1);
			ret = syscall(SYS_unlink, a[0]);
		} else if (strcmp(op, "unlinkat") == 0) {
			NEED(3);
			ret = syscall(SYS_unlinkat, dirfd_of(a[0]), a[1], num(a[2]));
		} else if (strcmp(op, "chmod") == 0) {
			NEED(2);
			ret = syscall(SYS_chmod, a[0], num(a[1]));
		} else if (strcmp(op, "fchmodat") == 0) {
			NEED(3);
			ret = syscall(SYS_fchmodat, dirfd_of(a[0]), a[1], num(a[2]));
		} else if (strcmp(op, "chown") == 0) {
			NEED(3);
			ret = syscall(SYS_chown, a[0], num(a[1]), num(a[2]));
		} else if (strcmp(op, "lchown") == 0) {
			NEED(3);
			ret = syscall(SYS_lchown, a[0], num(a[1]), num(a[2]));
		} else if (strcmp(op, "fchownat") == 0) {
			NEED(5);
			ret = syscall(SYS_fchownat, dirfd_of(a[0]), a[1], num(a[2]), num(a[3]), num(a[4]));
		} else if (strcmp(op, "link") == 0) {
			NEED(2);
			ret = syscall(SYS_link, a[0], a[1]);
		} else if (strcmp(op, "linkat") == 0) {
			NEED(5);
			ret = syscall(SYS_linkat, dirfd_of(a[0]), a[1], dirfd_of(a[2]), a[3], num(a[4]));
		} else if (strcmp(op, "symlink") == 0) {
			NEED(2);
			ret = syscall(SYS_symlink, a[0], a[1]);
		} else if (strcmp(op, "symlinkat") == 0) {
			NEED(3);
			ret = syscall(SYS_symlinkat, a[0], dirfd_of(a[1]), a[2]);
		} else {
			usage();
		}
		printf("%s ret=%ld errno=%d\n", op, ret, ret < 0 ? errno : 0);
		i += need;
	}
	return 0;
}
