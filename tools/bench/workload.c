// SPDX-License-Identifier: GPL-2.0-or-later
/* guard-workload: one syscall pattern in a tight loop, timed, so that the
 * benchmark harness can compare the same loop with no agent, with empty BPF
 * programs on guard's tracepoints (the floor) and with guard.
 *
 *   guard-workload OP [--seconds S | --ops N] [--rate R] [--dir DIR]
 *
 * OP is one of: open, open_missing, exec, connect4, connect6, rename, unlink.
 * Prints one line of key=value pairs on stdout: wall-clock time, and CPU
 * time (this process's and its reaped children's, user + system: what the
 * operations cost, without the time other processes on a shared CPU took):
 *
 *   op=open ops=812345 ns=1000012345 ns_per_op=1231.0 cpu_ns=998000000 cpu_ns_per_op=1228.5
 *
 * The connect workloads talk to loopback only (127.0.0.1 and ::1): a socket
 * bound there and never listening owns the port, so every connect is refused
 * by the local stack and no packet leaves the machine. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct workload {
	const char *dir;
	char existing[4096]; /* open: a file that is there */
	char missing[4096];  /* open_missing: a name that is not */
	char name_a[4096], name_b[4096]; /* rename: the file moves between these */
	struct sockaddr_storage closed; /* connect: a loopback port nobody listens on */
	socklen_t closed_len;
	int port_owner; /* keeps that port bound (not listening) while we run */
	uint64_t ops;
};

static void die(const char *what)
{
	fprintf(stderr, "guard-workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of this process (exact, from the scheduler) plus its reaped
 * children's (microseconds), in ns. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	struct rusage children;
	getrusage(RUSAGE_CHILDREN, &children);
	uint64_t child_us = (uint64_t)children.ru_utime.tv_sec * 1000000u + (uint64_t)children.ru_utime.tv_usec +
			    (uint64_t)children.ru_stime.tv_sec * 1000000u + (uint64_t)children.ru_stime.tv_usec;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + child_us * 1000u;
}

static void op_open(struct workload *w)
{
	int fd = openat(AT_FDCWD, w->existing, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("openat existing file");
	close(fd);
}

static void op_open_missing(struct workload *w)
{
	if (openat(AT_FDCWD, w->missing, O_RDONLY | O_CLOEXEC) >= 0 || errno != ENOENT)
		die("openat of a missing file did not fail with ENOENT");
}

static void op_exec(struct workload *w)
{
	(void)w;
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char *argv[] = {"true", NULL};
		char *envp[] = {NULL};
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("fork+exec /bin/true");
}

static void op_connect(struct workload *w)
{
	int s = socket(w->closed.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	/* Non-blocking: returns EINPROGRESS (or ECONNREFUSED when the local
	 * stack already answered); the RST comes from our own kernel. */
	if (connect(s, (struct sockaddr *)&w->closed, w->closed_len) == 0)
		die("connect to a closed loopback port succeeded");
	if (errno != EINPROGRESS && errno != ECONNREFUSED)
		die("connect to a closed loopback port");
	close(s);
}

static void op_rename(struct workload *w)
{
	/* The file goes a -> b on even ops and back on odd ones. */
	const char *from = (w->ops & 1) ? w->name_b : w->name_a;
	const char *to = (w->ops & 1) ? w->name_a : w->name_b;
	if (rename(from, to) != 0)
		die("rename");
}

static void op_unlink(struct workload *w)
{
	/* mknod makes the file without an open, so unlink is the only traced call. */
	if (mknodat(AT_FDCWD, w->name_a, S_IFREG | 0600, 0) != 0)
		die("mknod");
	if (unlink(w->name_a) != 0)
		die("unlink");
}

static void bind_closed_port(struct workload *w, int family)
{
	memset(&w->closed, 0, sizeof(w->closed));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&w->closed;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1, never anything else */
		w->closed_len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&w->closed;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback; /* ::1, never anything else */
		w->closed_len = sizeof(*a);
	}
	w->port_owner = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (w->port_owner < 0)
		die("socket");
	if (bind(w->port_owner, (struct sockaddr *)&w->closed, w->closed_len) != 0)
		die("bind loopback");
	socklen_t len = w->closed_len;
	if (getsockname(w->port_owner, (struct sockaddr *)&w->closed, &len) != 0)
		die("getsockname");
}

static void path_in(char *dst, const char *dir, const char *name)
{
	if (snprintf(dst, 4096, "%s/%s", dir, name) >= 4096) {
		fprintf(stderr, "guard-workload: --dir is too long\n");
		exit(2);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: guard-workload open|open_missing|exec|connect4|connect6|rename|unlink\n"
			"                      [--seconds S | --ops N] [--rate OPS_PER_S] [--dir DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *op_name = argv[1];
	double seconds = 1.0, rate = 0;
	uint64_t max_ops = 0;
	struct workload w = {.dir = "/tmp", .port_owner = -1};
	for (int i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--seconds") == 0)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--ops") == 0)
			max_ops = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--rate") == 0)
			rate = atof(argv[++i]);
		else if (strcmp(argv[i], "--dir") == 0)
			w.dir = argv[++i];
		else
			usage();
	}

	void (*op)(struct workload *) = NULL;
	if (strcmp(op_name, "open") == 0 || strcmp(op_name, "open_missing") == 0 || strcmp(op_name, "rename") == 0 ||
	    strcmp(op_name, "unlink") == 0) {
		char name[64];
		snprintf(name, sizeof(name), "workload-%d", (int)getpid());
		path_in(w.existing, w.dir, name);
		snprintf(name, sizeof(name), "workload-%d-missing", (int)getpid());
		path_in(w.missing, w.dir, name);
		snprintf(name, sizeof(name), "workload-%d-b", (int)getpid());
		path_in(w.name_b, w.dir, name);
		memcpy(w.name_a, w.existing, sizeof(w.name_a));
		if (strcmp(op_name, "unlink") != 0) {
			int fd = open(w.existing, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			if (fd < 0)
				die("create the workload's file");
			close(fd);
		}
		op = strcmp(op_name, "open") == 0	   ? op_open
		     : strcmp(op_name, "open_missing") == 0 ? op_open_missing
		     : strcmp(op_name, "rename") == 0	   ? op_rename
							   : op_unlink;
	} else if (strcmp(op_name, "exec") == 0) {
		op = op_exec;
	} else if (strcmp(op_name, "connect4") == 0 || strcmp(op_name, "connect6") == 0) {
		bind_closed_port(&w, op_name[7] == '4' ? AF_INET : AF_INET6);
		op = op_connect;
	} else {
		usage();
	}

	/* Flat out, the clock is read every 16 ops; at a set rate, each op waits
	 * for its own start time so that the rate holds on average. */
	uint64_t cpu_start = cpu_ns();
	uint64_t start = now_ns();
	uint64_t deadline = start + (uint64_t)(seconds * 1e9);
	uint64_t interval = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
	uint64_t end = start;
	for (;;) {
		if (max_ops ? w.ops >= max_ops : ((interval || (w.ops & 15) == 0) && (end = now_ns()) >= deadline))
			break;
		if (interval) {
			uint64_t due = start + w.ops * interval;
			struct timespec ts = {(time_t)(due / 1000000000u), (long)(due % 1000000000u)};
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		op(&w);
		w.ops++;
	}
	end = now_ns();
	uint64_t cpu = cpu_ns() - cpu_start;

	if (op == op_rename && (w.ops & 1))
		rename(w.name_b, w.name_a);
	if (w.existing[0] && op != op_unlink)
		unlink(w.existing);
	if (w.port_owner >= 0)
		close(w.port_owner);
	printf("op=%s ops=%llu ns=%llu ns_per_op=%.1f cpu_ns=%llu cpu_ns_per_op=%.1f\n", op_name, (unsigned long long)w.ops,
	       (unsigned long long)(end - start), w.ops ? (double)(end - start) / (double)w.ops : 0.0,
	       (unsigned long long)cpu, w.ops ? (double)cpu / (double)w.ops : 0.0);
	return 0;
}
