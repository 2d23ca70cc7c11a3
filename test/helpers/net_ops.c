// SPDX-License-Identifier: GPL-2.0-or-later
/* net_ops: makes the network syscalls guard reports, on loopback only.
 *
 *   net_ops connect4 ADDR PORT      connect a TCP socket (prints the result)
 *   net_ops connect6 ADDR PORT
 *   net_ops connect-unix PATH       PATH starting with '@' is abstract
 *   net_ops serve4 | serve6         bind 127.0.0.1 / ::1 port 0, listen(7),
 *                                   connect to itself, accept4: prints the ports
 *   net_ops serve-unix PATH         the same over a unix socket at PATH
 *   net_ops sendmmsg4 ADDR PORT...  one sendmmsg of a UDP datagram to each
 *                                   ADDR PORT pair, in order (prints the result)
 *
 * Every address a test passes is loopback, or the test runs net_ops in an
 * empty network namespace where nothing can leave the machine.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "net_ops: %s: %s\n", what, strerror(errno));
	exit(2);
}

static socklen_t unix_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	size_t n = strlen(path);
	if (n >= sizeof(sun->sun_path))
		n = sizeof(sun->sun_path) - 1;
	memcpy(sun->sun_path, path, n);
	if (path[0] == '@') { /* abstract: a leading NUL, and the length says where it ends */
		sun->sun_path[0] = 0;
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	return (socklen_t)sizeof(*sun);
}

static void report(const char *op, int ret) { printf("%s ret=%d errno=%d\n", op, ret, ret < 0 ? errno : 0); }

static int connect_to(int family, struct sockaddr *addr, socklen_t len)
{
	int fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	int ret = connect(fd, addr, len);
	report("connect", ret);
	return fd;
}

static void serve(int family, struct sockaddr *addr, socklen_t len)
{
	int server = socket(family, SOCK_STREAM, 0);
	if (server < 0)
		die("socket");
	report("bind", bind(server, addr, len));
	report("listen", listen(server, 7));
	struct sockaddr_storage bound;
	socklen_t bound_len = sizeof(bound);
	if (getsockname(server, (struct sockaddr *)&bound, &bound_len) != 0)
		die("getsockname");
	if (family != AF_UNIX)
		printf("server_port=%d\n", ntohs(((struct sockaddr_in *)&bound)->sin_port));
	int client = connect_to(family, (struct sockaddr *)&bound, bound_len);
	struct sockaddr_storage client_addr;
	socklen_t client_len = sizeof(client_addr);
	if (family != AF_UNIX && getsockname(client, (struct sockaddr *)&client_addr, &client_len) == 0)
		printf("client_port=%d\n", ntohs(((struct sockaddr_in *)&client_addr)->sin_port));
	struct sockaddr_storage peer;
	socklen_t peer_len = sizeof(peer);
	int conn = accept4(server, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);
	report("accept4", conn);
	close(conn);
	close(client);
	close(server);
}

/* One sendmmsg, message i to the i-th ADDR PORT pair of args (n pairs). */
static void send_many(char **args, int n)
{
	struct sockaddr_in to[8];
	struct mmsghdr msgs[8];
	struct iovec iov = {(void *)"x", 1};
	if (n > 8)
		n = 8;
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < n; i++) {
		to[i] = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(args[2 * i + 1]))};
		if (inet_pton(AF_INET, args[2 * i], &to[i].sin_addr) != 1)
			die("inet_pton");
		msgs[i].msg_hdr.msg_name = &to[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(to[i]);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	report("sendmmsg", sendmmsg(fd, msgs, (unsigned)n, 0));
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: net_ops connect4|connect6 ADDR PORT | connect-unix PATH | serve4 | serve6 | "
				"serve-unix PATH | sendmmsg4 ADDR PORT...\n");
		return 2;
	}
	const char *op = argv[1];
	if ((strcmp(op, "connect4") == 0 || strcmp(op, "connect6") == 0) && argc == 4) {
		if (op[7] == '4') {
			struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
			if (inet_pton(AF_INET, argv[2], &in.sin_addr) != 1)
				die("inet_pton");
			close(connect_to(AF_INET, (struct sockaddr *)&in, sizeof(in)));
		} else {
			struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(argv[3]))};
			if (inet_pton(AF_INET6, argv[2], &in6.sin6_addr) != 1)
				die("inet_pton");
			close(connect_to(AF_INET6, (struct sockaddr *)&in6, sizeof(in6)));
		}
	} else if (strcmp(op, "connect-unix") == 0 && argc == 3) {
		struct sockaddr_un sun;
		socklen_t len = unix_addr(argv[2], &sun);
		close(connect_to(AF_UNIX, (struct sockaddr *)&sun, len));
	} else if (strcmp(op, "serve4") == 0) {
		struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr = {htonl(INADDR_LOOPBACK)}};
		serve(AF_INET, (struct sockaddr *)&in, sizeof(in));
	} else if (strcmp(op, "serve6") == 0) {
		struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
		serve(AF_INET6, (struct sockaddr *)&in6, sizeof(in6));
	} else if (strcmp(op, "sendmmsg4") == 0 && argc >= 4 && argc % 2 == 0) {
		send_many(argv + 2, (argc - 2) / 2);
	} else if (strcmp(op, "serve-unix") == 0 && argc == 3) {
		struct sockaddr_un sun;
		socklen_t len = unix_addr(argv[2], &sun);
		serve(AF_UNIX, (struct sockaddr *)&sun, len);
	} else {
		fprintf(stderr, "net_ops: unknown operation %s\n", op);
		return 2;
	}
	return 0;
}
