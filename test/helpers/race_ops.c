/* SPDX-License-Identifier: GPL-2.0-or-later */
/* race_ops: a second thread rewrites a syscall's argument in the caller's
 * memory while the call runs, as an attacker who wants guard to report
 * something else than what the kernel did would.
 *
 *   race_ops connect-wait     a TCP connect to 192.0.2.1:4444 that waits (the
 *                             listener's backlog is full) while the other thread
 *                             rewrites the sockaddr to 203.0.113.5:80; the
 *                             connect gives up after 300 ms (EINPROGRESS)
 *   race_ops connect-flip N   N connects while the other thread flips the
 *                             sockaddr between 192.0.2.1:4444 and 192.0.2.2:4444
 *                             without pause; prints "peer N ADDR" for each, the
 *                             address the kernel connected to (getpeername)
 *   race_ops open-flip N      N opens (more, up to 100 N, until both names were
 *                             opened) of "/etc/shadow-" while the other thread
 *                             flips its last byte between '-' and NUL: each open
 *                             gets /etc/shadow or /etc/shadow-, whole (one byte
 *                             changes, so no name is torn); prints
 *                             "real=R decoy=D failed=F", R opens of /etc/shadow
 *                             told by the inode of the fd the kernel returned
 *
 * The connects need their own network namespace (the test runs this under
 * unshare -n): it brings up loopback, puts 192.0.2.1 and 192.0.2.2
 * (documentation addresses) on it, and nothing can leave the machine.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "race_ops: %s: %s\n", what, strerror(errno));
	exit(2);
}

static struct sockaddr_in inet(const char *addr, int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		die("inet_pton");
	return sin;
}

/* Loopback up, and addr/32 on it as "lo:N" (an IPv4 alias, by ioctl: no
 * iproute2 needed). */
static void loopback_with(const char *label, const char *addr)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		die("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		die("SIOCSIFFLAGS lo");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, label);
	struct sockaddr_in sin = inet(addr, 0);
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	if (ioctl(s, SIOCSIFADDR, &ifr) != 0)
		die("SIOCSIFADDR");
	sin = inet("255.255.255.255", 0);
	memcpy(&ifr.ifr_netmask, &sin, sizeof(sin));
	if (ioctl(s, SIOCSIFNETMASK, &ifr) != 0)
		die("SIOCSIFNETMASK");
	close(s);
}

/* Non-blocking, so that taking what waits never waits. */
static int listener(const char *addr, int port, int backlog)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sin = inet(addr, port);
	if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(s, backlog) != 0)
		die("listener");
	return s;
}

/* What the racing thread writes, and where. */
struct race {
	struct sockaddr_in *target;
	struct sockaddr_in a, b;
	char *path;
	atomic_int go, stop;
};

static void *rewrite_later(void *arg)
{
	struct race *r = arg;
	while (!atomic_load(&r->go))
		;
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL); /* the connect is in the kernel, waiting */
	*(volatile struct sockaddr_in *)r->target = r->b;
	return NULL;
}

/* The flipping thread and the caller on CPUs of their own, when there are
 * two: a race needs them to run at the same time. */
static void pin_to(int cpu)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *flip_addr(void *arg)
{
	struct race *r = arg;
	pin_to(1);
	volatile struct sockaddr_in *t = r->target;
	while (!atomic_load(&r->stop)) {
		*t = r->a;
		*t = r->b;
	}
	return NULL;
}

static void *flip_byte(void *arg)
{
	struct race *r = arg;
	pin_to(1);
	volatile char *last = r->path + strlen("/etc/shadow");
	while (!atomic_load(&r->stop)) {
		*last = '-';
		*last = 0;
	}
	return NULL;
}

static void connect_wait(void)
{
	loopback_with("lo:1", "192.0.2.1");
	int server = listener("192.0.2.1", 4444, 0);
	/* Fill the accept queue: with it full, the listener drops SYNs and a
	 * connect waits for an answer that does not come. */
	for (int i = 0; i < 4; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct sockaddr_in sin = inet("192.0.2.1", 4444);
		connect(c, (struct sockaddr *)&sin, sizeof(sin));
	}
	usleep(100 * 1000);

	static struct race r;
	struct sockaddr_in *buf = malloc(sizeof(*buf));
	r.target = buf;
	r.a = inet("192.0.2.1", 4444);
	r.b = inet("203.0.113.5", 80);
	*buf = r.a;
	pthread_t t;
	if (pthread_create(&t, NULL, rewrite_later, &r) != 0)
		die("pthread_create");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval tv = {0, 300 * 1000};
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	atomic_store(&r.go, 1);
	int ret = connect(c, (struct sockaddr *)buf, sizeof(*buf));
	int err = errno;
	pthread_join(t, NULL);
	char now[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &buf->sin_addr, now, sizeof(now));
	printf("connect ret=%d errno=%d buffer_now=%s:%d\n", ret, ret < 0 ? err : 0, now, ntohs(buf->sin_port));
	close(server);
}

static void connect_flip(int n)
{
	loopback_with("lo:1", "192.0.2.1");
	loopback_with("lo:2", "192.0.2.2");
	int s1 = listener("192.0.2.1", 4444, 4096), s2 = listener("192.0.2.2", 4444, 4096);
	static struct race r;
	struct sockaddr_in *buf = malloc(sizeof(*buf));
	r.target = buf;
	r.a = inet("192.0.2.1", 4444);
	r.b = inet("192.0.2.2", 4444);
	*buf = r.a;
	pthread_t t;
	if (pthread_create(&t, NULL, flip_addr, &r) != 0)
		die("pthread_create");
	pin_to(0);
	for (int i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)buf, sizeof(*buf)) != 0)
			die("connect");
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		if (getpeername(c, (struct sockaddr *)&peer, &len) != 0)
			die("getpeername");
		char text[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &peer.sin_addr, text, sizeof(text));
		printf("peer %d %s\n", i, text);
		close(c);
		/* Take the server's ends, so the queues never fill. */
		int servers[] = {s1, s2};
		for (int k = 0; k < 2; k++) {
			int a = accept4(servers[k], NULL, NULL, SOCK_CLOEXEC);
			if (a >= 0)
				close(a);
		}
	}
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
}

static void open_flip(int n)
{
	struct stat shadow;
	if (stat("/etc/shadow", &shadow) != 0)
		die("stat /etc/shadow");
	static struct race r;
	r.path = malloc(64);
	strcpy(r.path, "/etc/shadow-");
	pthread_t t;
	if (pthread_create(&t, NULL, flip_byte, &r) != 0)
		die("pthread_create");
	pin_to(0);
	int real = 0, decoy = 0, failed = 0;
	/* At least n opens, and on until both names were opened (a busy
	 * machine may not run the flipping thread during the first n), up to
	 * 100 n. */
	for (int i = 0; i < n || ((real == 0 || decoy == 0) && i < 100 * n); i++) {
		int fd = open(r.path, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0)
			failed++;
		else if (st.st_ino == shadow.st_ino && st.st_dev == shadow.st_dev)
			real++;
		else
			decoy++;
		if (fd >= 0)
			close(fd);
	}
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	printf("real=%d decoy=%d failed=%d\n", real, decoy, failed);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "connect-wait") == 0)
		connect_wait();
	else if (argc == 3 && strcmp(argv[1], "connect-flip") == 0)
		connect_flip(atoi(argv[2]));
	else if (argc == 3 && strcmp(argv[1], "open-flip") == 0)
		open_flip(atoi(argv[2]));
	else {
		fprintf(stderr, "usage: race_ops connect-wait | connect-flip N | open-flip N\n");
		return 2;
	}
	return 0;
}
