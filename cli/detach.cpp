// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/detach.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "cli/privileges.h"

extern char **environ;

namespace guard {

namespace {

// The helper's end of the socket, where it finds it after exec.
constexpr int kHelperSocket = 3;
// Descriptors per message (the kernel takes at most SCM_MAX_FD, 253).
constexpr size_t kFdsPerMessage = 200;

bool send_fds(int socket, const int *fds, size_t n)
{
	char byte = 0;
	struct iovec iov {&byte, 1};
	alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * kFdsPerMessage)] = {};
	struct msghdr msg {};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	std::memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	ssize_t sent;
	do
		sent = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	return sent == 1;
}

// Appends the descriptors a message carried to fds.
void take_fds(struct msghdr &msg, std::vector<int> &fds)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			fds.push_back(fd);
		}
	}
}

} // namespace

DetachHelper DetachHelper::start()
{
	DetachHelper h;
	int sv[2];
	if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return h;
	pid_t pid = ::fork();
	if (pid == 0) {
		// Only what is safe after fork: descriptors and exec. The helper
		// keeps no stdout or stderr of guard's (a reader waiting for
		// guard's output to end must not wait for the helper too).
		int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || ::dup2(sv[1], kHelperSocket) != kHelperSocket)
			_exit(127);
		for (int fd = 0; fd <= 2; fd++)
			::dup2(null, fd);
		::close_range(kHelperSocket + 1, ~0u, 0);
		char name[] = "guard-detach";
		char *argv[] = {name, nullptr};
		::execve("/proc/self/exe", argv, environ);
		_exit(127);
	}
	::close(sv[1]);
	if (pid < 0)
		::close(sv[0]);
	else
		h.socket_ = Fd(sv[0]);
	return h;
}

void DetachHelper::hand_over(std::vector<Link> &links)
{
	std::vector<Fd *> events;
	for (Link &l : links)
		if (l.link.valid() && l.perf_event.valid())
			events.push_back(&l.perf_event);
	for (size_t i = 0; i < events.size() && socket_.valid(); i += kFdsPerMessage) {
		size_t n = std::min(kFdsPerMessage, events.size() - i);
		int fds[kFdsPerMessage];
		for (size_t j = 0; j < n; j++)
			fds[j] = events[i + j]->get();
		if (!send_fds(socket_.get(), fds, n)) {
			socket_.reset(); // no helper: guard keeps the rest and closes them itself
			return;
		}
		for (size_t j = 0; j < n; j++)
			events[i + j]->reset();
	}
}

void detach_all(std::vector<Link> &links)
{
	const size_t n = links.size();
	const size_t stripes = std::min<size_t>(n, 64);
	auto close_stripe = [&links, n, stripes](size_t s) {
		for (size_t i = s; i < n; i += stripes)
			links[i].link.reset();
	};
	std::vector<std::thread> threads;
	size_t started = 0;
	try {
		for (; started < stripes; started++)
			threads.emplace_back(close_stripe, started);
	} catch (const std::system_error &) {
		// No more threads: this one closes the stripes left.
	}
	for (size_t s = started; s < stripes; s++)
		close_stripe(s);
	for (std::thread &t : threads)
		t.join();
	links.clear();
}

int run_detach_helper()
{
	::prctl(PR_SET_NAME, detach_helper_name);
	// Nothing but guard's end of the socket closing ends the helper early
	// (and SIGKILL): until then it holds what keeps the kernel's waits out
	// of guard's exit.
	for (int s : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM})
		::signal(s, SIG_IGN);
	drop_all_privileges();
	std::vector<int> fds;
	for (;;) {
		char byte;
		struct iovec iov {&byte, 1};
		alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 253)];
		struct msghdr msg {};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		ssize_t n = ::recvmsg(kHelperSocket, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; // guard has exited (or was never there)
		take_fds(msg, fds);
	}
	for (int fd : fds)
		::close(fd);
	return 0;
}

} // namespace guard
