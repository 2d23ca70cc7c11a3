/* SPDX-License-Identifier: GPL-2.0-or-later */
/* open_flood: processes that open a file flat out, as an unprivileged user:
 * the flood of file records an attacker without root can make.
 *
 *   open_flood N UID PATH
 *
 * Forks N children; each gives up root for UID (group UID too, no
 * supplementary groups) and opens and closes PATH in a loop. Prints "ready"
 * once every child runs unprivileged; on SIGTERM or SIGINT kills them and
 * prints "opens=<total>". A child dies with its parent (PR_SET_PDEATHSIG), so
 * none is left behind if the parent is killed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 64

int main(int argc, char **argv)
{
	if (argc != 4 || atoi(argv[1]) < 1 || atoi(argv[1]) > MAX_CHILDREN) {
		fprintf(stderr, "usage: open_flood N(1-%d) UID PATH\n", MAX_CHILDREN);
		return 2;
	}
	int n = atoi(argv[1]);
	uid_t uid = (uid_t)atoi(argv[2]);
	const char *path = argv[3];

	/* Each child counts its opens here, one cache line apiece. */
	volatile unsigned long(*counts)[8] =
		mmap(NULL, sizeof(*counts) * MAX_CHILDREN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int ready[2];
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (counts == MAP_FAILED || pipe(ready) != 0 || sigprocmask(SIG_BLOCK, &stop, NULL) != 0) {
		perror("open_flood: set-up");
		return 2;
	}
	pid_t children[MAX_CHILDREN];
	const pid_t parent = getpid();
	for (int i = 0; i < n; i++) {
		children[i] = fork();
		if (children[i] < 0) {
			perror("open_flood: fork");
			return 2;
		}
		if (children[i] == 0) {
			if (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid(uid) != 0 || getuid() != uid) {
				perror("open_flood: drop root");
				_exit(2);
			}
			/* After setuid, which clears the parent-death signal; a parent
			 * already gone by then means the child has been reparented. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(2);
			if (write(ready[1], "r", 1) != 1)
				_exit(2);
			for (;;) {
				int fd = open(path, O_RDONLY | O_CLOEXEC);
				if (fd >= 0)
					close(fd);
				counts[i][0]++;
			}
		}
	}
	for (int i = 0; i < n; i++) {
		char c;
		if (read(ready[0], &c, 1) != 1) {
			fprintf(stderr, "open_flood: a child did not start\n");
			return 2;
		}
	}
	printf("ready\n");
	fflush(stdout);

	int sig;
	sigwait(&stop, &sig);
	unsigned long total = 0;
	for (int i = 0; i < n; i++) {
		kill(children[i], SIGKILL);
		waitpid(children[i], NULL, 0);
		total += counts[i][0];
	}
	printf("opens=%lu\n", total);
	return 0;
}
