// SPDX-License-Identifier: GPL-2.0-or-later
/* priv_ops: makes the privilege and tamper events guard reports. Run as root.
 *
 *   priv_ops regain-root         setresuid(65534, 65534, 0), then setresuid(0, 0, 0): uid 0
 *                                regained from the saved uid
 *   priv_ops capset              drops CAP_SYS_MODULE from the effective set
 *   priv_ops ptrace-attach       forks a child, PTRACE_ATTACH to it, PTRACE_POKEDATA into it;
 *                                prints child=<pid>
 *   priv_ops vm-write            forks a child, process_vm_writev into it; prints child=<pid> bytes=<n>
 *   priv_ops signal PID          kill(PID, 0), then kill(PID, SIGUSR1)
 *   priv_ops module              init_module and delete_module("guard_none") that fail; prints the errnos
 *   priv_ops bpf-load            loads a two-instruction socket filter named "guard_priv"; prints fd=<n>
 *   priv_ops mounts DIR          in a new mount namespace: mount tmpfs on DIR, setns into its own uts
 *                                namespace, a child chroots to DIR (prints child=<pid>), pivot_root(DIR,
 *                                DIR/old), umount2("/old"); in a chroot (prints private=0) the mount and
 *                                pivot_root are attempts that fail
 *   priv_ops memfd               memfd_create("guard-priv", MFD_CLOEXEC); prints fd=<n> ino=<n>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "priv_ops: %s: %s\n", what, strerror(errno));
	exit(2);
}

static volatile long target_word = 1;

static pid_t fork_sleeper(void)
{
	fflush(stdout);
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		for (;;)
			pause();
	}
	return child;
}

static void end_child(pid_t child)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static int regain_root(void)
{
	if (setresuid(65534, 65534, 0) != 0)
		die("setresuid(65534, 65534, 0)");
	if (setresuid(0, 0, 0) != 0)
		die("setresuid(0, 0, 0)");
	printf("uid=%d\n", (int)getuid());
	return 0;
}

static int drop_capability(void)
{
	struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &header, data) != 0)
		die("capget");
	data[0].effective &= ~(1u << CAP_SYS_MODULE);
	if (syscall(SYS_capset, &header, data) != 0)
		die("capset");
	printf("capset ok\n");
	return 0;
}

static int ptrace_attach(void)
{
	pid_t child = fork_sleeper();
	if (ptrace(PTRACE_ATTACH, child, 0, 0) != 0)
		die("PTRACE_ATTACH");
	waitpid(child, NULL, 0);
	if (ptrace(PTRACE_POKEDATA, child, (void *)&target_word, (void *)2) != 0)
		die("PTRACE_POKEDATA");
	ptrace(PTRACE_DETACH, child, 0, 0);
	printf("child=%d\n", (int)child);
	end_child(child);
	return 0;
}

static int vm_write(void)
{
	pid_t child = fork_sleeper();
	long value = 3;
	struct iovec local = {&value, sizeof(value)};
	struct iovec remote = {(void *)&target_word, sizeof(target_word)};
	ssize_t n = process_vm_writev(child, &local, 1, &remote, 1, 0);
	if (n < 0)
		die("process_vm_writev");
	printf("child=%d bytes=%zd\n", (int)child, n);
	end_child(child);
	return 0;
}

static int signal_agent(pid_t pid)
{
	if (kill(pid, 0) != 0)
		die("kill(PID, 0)");
	if (kill(pid, SIGUSR1) != 0)
		die("kill(PID, SIGUSR1)");
	printf("signalled\n");
	return 0;
}

static int module_calls(void)
{
	static const char image[16] = "not a module";
	long r = syscall(SYS_init_module, image, sizeof(image), "guard_param=1");
	int init_errno = r ? errno : 0;
	r = syscall(SYS_delete_module, "guard_none", O_NONBLOCK);
	printf("init_module errno=%d delete_module errno=%d\n", init_errno, r ? errno : 0);
	return 0;
}

static int bpf_load(void)
{
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insn_cnt = 2;
	attr.insns = (uintptr_t)insns;
	attr.license = (uintptr_t) "GPL";
	strcpy(attr.prog_name, "guard_priv");
	int fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		die("BPF_PROG_LOAD");
	printf("fd=%d\n", fd);
	return 0;
}

static void chroot_child(const char *dir)
{
	fflush(stdout);
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0)
		_exit(chroot(dir) == 0 ? 0 : 1);
	int status = 0;
	waitpid(child, &status, 0);
	printf("child=%d chroot=%d\n", (int)child, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static int mounts(const char *dir)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS) != 0)
		die("unshare");
	/* Where "/" is no mount point (a chroot, as a minimal root made with
	 * debootstrap is) it cannot be made private, and a tmpfs mounted here
	 * would show in the host's namespace too: the mount is then tried with
	 * an option tmpfs refuses, an attempt guard reports all the same. */
	int private = mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
	if (!private && errno != EINVAL)
		die("mount private");
	printf("private=%d\n", private);
	if (mount("guard-priv", dir, "tmpfs", MS_NOSUID, private ? "size=1m" : "size=refused") != 0 && private)
		die("mount tmpfs");
	int ns = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWUTS) != 0)
		die("setns");
	chroot_child(dir);
	char old[4096];
	snprintf(old, sizeof(old), "%s/old", dir);
	if (mkdir(old, 0700) != 0)
		die("mkdir old");
	/* In a chroot (a minimal root made with debootstrap, say) the current
	 * root is no mount point and pivot_root says EINVAL, or EBUSY where
	 * DIR is no mount of its own either: both calls are then attempts,
	 * which guard reports all the same. */
	if (syscall(SYS_pivot_root, dir, old) != 0) {
		if (private || (errno != EINVAL && errno != EBUSY))
			die("pivot_root");
		printf("pivot_root errno=%d\n", errno);
		umount2("/old", MNT_DETACH);
	} else if (umount2("/old", MNT_DETACH) != 0) {
		die("umount2");
	}
	printf("mounts ok\n");
	return 0;
}

static int memfd(void)
{
	int fd = memfd_create("guard-priv", MFD_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		die("memfd_create");
	printf("fd=%d ino=%lu\n", fd, (unsigned long)st.st_ino);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	if (strcmp(op, "regain-root") == 0)
		return regain_root();
	if (strcmp(op, "capset") == 0)
		return drop_capability();
	if (strcmp(op, "ptrace-attach") == 0)
		return ptrace_attach();
	if (strcmp(op, "vm-write") == 0)
		return vm_write();
	if (strcmp(op, "signal") == 0 && argc == 3)
		return signal_agent(atoi(argv[2]));
	if (strcmp(op, "module") == 0)
		return module_calls();
	if (strcmp(op, "bpf-load") == 0)
		return bpf_load();
	if (strcmp(op, "mounts") == 0 && argc == 3)
		return mounts(argv[2]);
	if (strcmp(op, "memfd") == 0)
		return memfd();
	fprintf(stderr, "usage: priv_ops regain-root | capset | ptrace-attach | vm-write | signal PID | module | "
			"bpf-load | mounts DIR | memfd\n");
	return 2;
}
