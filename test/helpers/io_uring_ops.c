// SPDX-License-Identifier: GPL-2.0-or-later
/* io_uring_ops: makes through an io_uring the calls guard reports, with raw
 * io_uring_setup and io_uring_enter (no liburing): one request each, then
 * its completion, printed as "OP res=N".
 *
 *   io_uring_ops [FLAGS] openat PATH          IORING_OP_OPENAT (read only)
 *   io_uring_ops [FLAGS] openat-dir DIR NAME  ... relative to DIR's fd
 *   io_uring_ops [FLAGS] rename OLD NEW | unlink PATH | mkdir PATH
 *   io_uring_ops [FLAGS] symlink TARGET LINK | link OLD NEW
 *   io_uring_ops [FLAGS] connect4 ADDR PORT   a TCP socket's connect
 *   io_uring_ops [FLAGS] sendmsg4 ADDR PORT   a UDP datagram to ADDR:PORT
 *   io_uring_ops [FLAGS] accept4              listen on 127.0.0.1, connect to
 *                                             itself, accept through the ring
 *   io_uring_ops linked-open PATH GATE        an OPENAT of PATH linked behind a
 *                                             read of an empty pipe, both submitted
 *                                             at once; then creates GATE.ready, waits
 *                                             (10 s at most) for GATE to exist, and
 *                                             fills the pipe: the open runs then
 *
 * FLAGS: --async (IOSQE_ASYNC: the request runs on an io-wq worker thread),
 * --skip-success (IOSQE_CQE_SKIP_SUCCESS: no completion when it succeeds;
 * prints "OP submitted" instead), --sqpoll (IORING_SETUP_SQPOLL: the kernel's
 * own thread takes the request from the ring; this process makes no submit
 * call at all).
 * Every address a test passes is loopback, or the test runs this in an
 * empty network namespace where nothing can leave the machine.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ring {
	int fd;
	int sqpoll;
	unsigned *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void die(const char *what)
{
	fprintf(stderr, "io_uring_ops: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void *map(int fd, size_t size, off_t offset)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void ring_setup(struct ring *r)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	if (r->sqpoll) {
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1000;
	}
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		die("io_uring_setup");
	char *sq = map(r->fd, p.sq_off.array + p.sq_entries * sizeof(unsigned), IORING_OFF_SQ_RING);
	char *cq = map(r->fd, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe), IORING_OFF_CQ_RING);
	r->sqes = map(r->fd, p.sq_entries * sizeof(struct io_uring_sqe), IORING_OFF_SQES);
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
}

/* Submits sqe; unless its success posts nothing, waits for its completion
 * and returns its result. */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe, const char *op)
{
	unsigned tail = *r->sq_tail;
	unsigned index = tail & *r->sq_mask;
	r->sqes[index] = *sqe;
	r->sq_array[index] = index;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	int skip = (sqe->flags & IOSQE_CQE_SKIP_SUCCESS) != 0;
	/* With SQPOLL the kernel's thread submits; the call only waits (and
	 * wakes that thread should it sleep). */
	unsigned to_submit = r->sqpoll ? 0 : 1;
	unsigned flags = (skip ? 0 : IORING_ENTER_GETEVENTS) | (r->sqpoll ? IORING_ENTER_SQ_WAKEUP : 0);
	if (syscall(__NR_io_uring_enter, r->fd, to_submit, skip ? 0 : 1, flags, NULL, 0) < 0)
		die("io_uring_enter");
	if (skip) {
		printf("%s submitted\n", op);
		return 0;
	}
	unsigned head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "io_uring_ops: no completion\n");
		exit(2);
	}
	int res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	printf("%s res=%d\n", op, res);
	return res;
}

static struct sockaddr_in inet4(const char *addr, const char *port)
{
	struct sockaddr_in in;
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, addr, &in.sin_addr) != 1) {
		fprintf(stderr, "io_uring_ops: bad address %s\n", addr);
		exit(2);
	}
	return in;
}

/* A request on two paths: the old (addr) and the new (addr2). */
static void two_paths(struct io_uring_sqe *sqe, int opcode, const char *a, const char *b)
{
	sqe->opcode = opcode;
	sqe->fd = AT_FDCWD;
	sqe->len = AT_FDCWD; /* the new path's dirfd */
	sqe->addr = (unsigned long)a;
	sqe->addr2 = (unsigned long)b;
}

/* Two requests submitted together, the open linked behind a read that
 * waits for the pipe; the gate lets a test start guard in between. */
static void linked_open(struct ring *r, const char *path, const char *gate)
{
	int pipefd[2];
	char byte;
	if (pipe(pipefd) != 0)
		die("pipe");
	struct io_uring_sqe read_sqe, open_sqe;
	memset(&read_sqe, 0, sizeof(read_sqe));
	memset(&open_sqe, 0, sizeof(open_sqe));
	read_sqe.opcode = IORING_OP_READ;
	read_sqe.fd = pipefd[0];
	read_sqe.addr = (unsigned long)&byte;
	read_sqe.len = 1;
	read_sqe.flags = IOSQE_IO_LINK;
	open_sqe.opcode = IORING_OP_OPENAT;
	open_sqe.fd = AT_FDCWD;
	open_sqe.addr = (unsigned long)path;
	unsigned tail = *r->sq_tail;
	for (unsigned k = 0; k < 2; k++) {
		unsigned index = (tail + k) & *r->sq_mask;
		r->sqes[index] = k == 0 ? read_sqe : open_sqe;
		r->sq_array[index] = index;
	}
	__atomic_store_n(r->sq_tail, tail + 2, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 2, 0, 0, NULL, 0) != 2)
		die("io_uring_enter");
	char ready[4096];
	snprintf(ready, sizeof(ready), "%s.ready", gate);
	close(open(ready, O_WRONLY | O_CREAT, 0600));
	for (int i = 0; i < 1000 && access(gate, F_OK) != 0; i++)
		usleep(10000);
	if (write(pipefd[1], "x", 1) != 1)
		die("write");
	for (int seen = 0; seen < 2;) {
		if (syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
			die("io_uring_enter");
		unsigned head = *r->cq_head;
		for (; head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE); head++, seen++)
			printf("%s res=%d\n", seen == 0 ? "read" : "openat", r->cqes[head & *r->cq_mask].res);
		__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	}
}

static void serve_and_accept(struct ring *r, struct io_uring_sqe *sqe)
{
	int server = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in in = inet4("127.0.0.1", "0");
	socklen_t len = sizeof(in);
	if (server < 0 || bind(server, (struct sockaddr *)&in, len) != 0 || listen(server, 1) != 0 ||
	    getsockname(server, (struct sockaddr *)&in, &len) != 0)
		die("listen");
	int client = socket(AF_INET, SOCK_STREAM, 0);
	if (client < 0 || connect(client, (struct sockaddr *)&in, len) != 0)
		die("connect");
	struct sockaddr_in mine;
	socklen_t mine_len = sizeof(mine);
	if (getsockname(client, (struct sockaddr *)&mine, &mine_len) != 0)
		die("getsockname");
	printf("client port=%d\n", ntohs(mine.sin_port));
	sqe->opcode = IORING_OP_ACCEPT;
	sqe->fd = server;
	ring_run(r, sqe, "accept");
}

int main(int argc, char **argv)
{
	struct io_uring_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	struct ring r;
	memset(&r, 0, sizeof(r));
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--async") == 0)
			sqe.flags |= IOSQE_ASYNC;
		else if (strcmp(argv[i], "--skip-success") == 0)
			sqe.flags |= IOSQE_CQE_SKIP_SUCCESS;
		else if (strcmp(argv[i], "--sqpoll") == 0)
			r.sqpoll = 1;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: io_uring_ops [--async] [--skip-success] [--sqpoll] OP ARGS...\n");
		return 2;
	}
	const char *op = argv[i];
	char **a = argv + i + 1;
	int n = argc - i - 1;
	ring_setup(&r);
	struct sockaddr_in in;
	struct msghdr msg;
	struct iovec iov = {(void *)"x", 1};
	if (strcmp(op, "openat") == 0 && n == 1) {
		sqe.opcode = IORING_OP_OPENAT;
		sqe.fd = AT_FDCWD;
		sqe.addr = (unsigned long)a[0];
		sqe.open_flags = O_RDONLY;
		ring_run(&r, &sqe, op);
	} else if (strcmp(op, "openat-dir") == 0 && n == 2) {
		int dir = open(a[0], O_RDONLY | O_DIRECTORY);
		if (dir < 0)
			die("open dir");
		sqe.opcode = IORING_OP_OPENAT;
		sqe.fd = dir;
		sqe.addr = (unsigned long)a[1];
		sqe.open_flags = O_RDONLY;
		ring_run(&r, &sqe, op);
	} else if (strcmp(op, "rename") == 0 && n == 2) {
		two_paths(&sqe, IORING_OP_RENAMEAT, a[0], a[1]);
		ring_run(&r, &sqe, op);
	} else if (strcmp(op, "link") == 0 && n == 2) {
		two_paths(&sqe, IORING_OP_LINKAT, a[0], a[1]);
		ring_run(&r, &sqe, op);
	} else if (strcmp(op, "symlink") == 0 && n == 2) {
		sqe.opcode = IORING_OP_SYMLINKAT;
		sqe.fd = AT_FDCWD;
		sqe.addr = (unsigned long)a[0];
		sqe.addr2 = (unsigned long)a[1];
		ring_run(&r, &sqe, op);
	} else if ((strcmp(op, "unlink") == 0 || strcmp(op, "mkdir") == 0) && n == 1) {
		sqe.opcode = op[0] == 'u' ? IORING_OP_UNLINKAT : IORING_OP_MKDIRAT;
		sqe.fd = AT_FDCWD;
		sqe.addr = (unsigned long)a[0];
		if (op[0] == 'm')
			sqe.len = 0750; /* mkdirat's mode */
		ring_run(&r, &sqe, op);
	} else if (strcmp(op, "connect4") == 0 && n == 2) {
		in = inet4(a[0], a[1]);
		sqe.opcode = IORING_OP_CONNECT;
		sqe.fd = socket(AF_INET, SOCK_STREAM, 0);
		sqe.addr = (unsigned long)&in;
		sqe.off = sizeof(in);
		ring_run(&r, &sqe, op);
	} else if (strcmp(op, "sendmsg4") == 0 && n == 2) {
		in = inet4(a[0], a[1]);
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &in;
		msg.msg_namelen = sizeof(in);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		sqe.opcode = IORING_OP_SENDMSG;
		sqe.fd = socket(AF_INET, SOCK_DGRAM, 0);
		sqe.addr = (unsigned long)&msg;
		sqe.len = 1;
		ring_run(&r, &sqe, op);
	} else if (strcmp(op, "linked-open") == 0 && n == 2) {
		linked_open(&r, a[0], a[1]);
	} else if (strcmp(op, "accept4") == 0 && n == 0) {
		serve_and_accept(&r, &sqe);
	} else {
		fprintf(stderr, "io_uring_ops: unknown op or wrong arguments: %s\n", op);
		return 2;
	}
	return 0;
}
