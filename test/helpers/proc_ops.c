// SPDX-License-Identifier: GPL-2.0-or-later
/* proc_ops: makes the process events guard reports.
 *
 *   proc_ops exec-fail PATH ARGS...   execve(PATH, [PATH, ARGS...]) that fails: prints errno
 *   proc_ops exec-in DIR PATH ARGS... chdir(DIR), then execve(PATH, [PATH, ARGS...]): PATH
 *                                     may be relative to DIR
 *   proc_ops memfd-exec ARGS...       copies /bin/true into a memfd and execveat(fd, "",
 *                                     AT_EMPTY_PATH) it: a fileless exec
 *   proc_ops fork-exit CODE           forks a child that exits with CODE; prints child=<pid>
 *   proc_ops fork-kill SIGNAL         forks a child that kills itself with SIGNAL
 *   proc_ops thread                   creates a thread (a clone that is no new process)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "proc_ops: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void *thread_main(void *arg)
{
	printf("thread tid=%ld\n", (long)syscall(SYS_gettid));
	return arg;
}

static pid_t fork_child(void)
{
	fflush(stdout);
	pid_t child = fork();
	if (child < 0)
		die("fork");
	return child;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: proc_ops exec-fail PATH ARGS... | exec-in DIR PATH ARGS... | memfd-exec ARGS... | "
				"fork-exit CODE | "
				"fork-kill SIGNAL | thread\n");
		return 2;
	}
	const char *op = argv[1];
	if (strcmp(op, "exec-fail") == 0 && argc >= 3) {
		execve(argv[2], argv + 2, environ);
		printf("exec-fail errno=%d\n", errno);
	} else if (strcmp(op, "exec-in") == 0 && argc >= 4) {
		if (chdir(argv[2]) != 0)
			die("chdir");
		execve(argv[3], argv + 3, environ);
		die("execve");
	} else if (strcmp(op, "memfd-exec") == 0) {
		int src = open("/bin/true", O_RDONLY | O_CLOEXEC);
		int mem = memfd_create("guard-test", MFD_CLOEXEC);
		struct stat st;
		if (src < 0 || mem < 0 || fstat(src, &st) != 0)
			die("memfd set-up");
		for (off_t done = 0; done < st.st_size;) {
			ssize_t n = sendfile(mem, src, NULL, (size_t)(st.st_size - done));
			if (n <= 0)
				die("sendfile");
			done += n;
		}
		char *args[] = {"guard-memfd", argc > 2 ? argv[2] : NULL, NULL};
		syscall(SYS_execveat, mem, "", args, environ, AT_EMPTY_PATH);
		die("execveat");
	} else if (strcmp(op, "fork-exit") == 0 && argc == 3) {
		pid_t child = fork_child();
		if (child == 0)
			_exit(atoi(argv[2]));
		printf("child=%d\n", child);
		waitpid(child, NULL, 0);
	} else if (strcmp(op, "fork-kill") == 0 && argc == 3) {
		pid_t child = fork_child();
		if (child == 0) {
			signal(atoi(argv[2]), SIG_DFL);
			raise(atoi(argv[2]));
			_exit(0);
		}
		printf("child=%d\n", child);
		waitpid(child, NULL, 0);
	} else if (strcmp(op, "thread") == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, thread_main, NULL) != 0)
			die("pthread_create");
		pthread_join(t, NULL);
	} else {
		fprintf(stderr, "proc_ops: unknown operation %s\n", op);
		return 2;
	}
	return 0;
}
