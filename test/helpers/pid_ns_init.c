/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pid_ns_init: pid 1 of a new pid namespace, which starts one program there
 * with a pid chosen by the caller.
 *
 *   unshare -p -f -m --propagation unchanged pid_ns_init PID PROGRAM ARGS...
 *
 * It mounts the namespace's own /proc first (what --mount-proc would do; but
 * that makes "/" private, which fails where "/" is no mount point, as in a
 * chroot): /proc is made private in the new mount namespace, so that the
 * mount is not propagated to the host's.
 *
 * PROGRAM runs with pid PID in this namespace: clone3 with set_tid gives the
 * child exactly that number or fails (EEXIST when taken), so a test can make a
 * namespaced pid equal some host process's pid. SIGINT, SIGTERM and SIGHUP are
 * passed on to it (a namespace's init receives only signals it handles);
 * pid_ns_init exits with its status (128 + signal when it was killed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pid_ns_init PID PROGRAM ARGS...\n");
		return 2;
	}
	if (getpid() != 1) {
		fprintf(stderr, "pid_ns_init: must be pid 1 of a new pid namespace (unshare -p -f), is %d\n", getpid());
		return 2;
	}
	if (mount(NULL, "/proc", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
		fprintf(stderr, "pid_ns_init: mount /proc of the new pid namespace: %s\n", strerror(errno));
		return 2;
	}
	pid_t want = (pid_t)atoi(argv[1]);
	/* Held until the child's pid is known, so none arrives unpassed. */
	const int passed[] = {SIGHUP, SIGINT, SIGTERM};
	sigset_t held, old;
	sigemptyset(&held);
	struct sigaction sa = {.sa_handler = pass_on};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		sigaddset(&held, passed[i]);
		sigaction(passed[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &held, &old);

	/* set_tid[0] is the pid in the innermost namespace: this one. The
	 * kernel requires CAP_CHECKPOINT_RESTORE (or CAP_SYS_ADMIN) over it. */
	struct clone_args args = {.exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)&want, .set_tid_size = 1};
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		fprintf(stderr, "pid_ns_init: clone3 with pid %d: %s\n", want, strerror(errno));
		return 2;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execv(argv[2], argv + 2);
		fprintf(stderr, "pid_ns_init: exec %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	child = (pid_t)pid;
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* As init, every orphan of the namespace is ours to reap too. */
	for (;;) {
		int status;
		pid_t done = wait(&status);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return 2; /* no children left without having seen ours: cannot happen */
		if (done == child)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}
