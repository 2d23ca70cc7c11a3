// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/signals.h"

#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace guard {

namespace {

// Signals that would end guard by default. SIGKILL and SIGSTOP cannot be
// blocked; the two first real-time signals are glibc's own (threads).
sigset_t terminating_signals()
{
	sigset_t set;
	sigemptyset(&set);
	for (int s : {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV, SIGUSR2,
		      SIGALRM, SIGTERM, SIGSTKFLT, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSYS, SIGXCPU})
		sigaddset(&set, s);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(&set, s);
	return set;
}

} // namespace

AgentSignals::AgentSignals()
{
	// A refused write is an output fault, handled where it happens.
	for (int s : {SIGPIPE, SIGXFSZ, SIGTSTP, SIGTTIN, SIGTTOU})
		::signal(s, SIG_IGN);
	sigset_t set = terminating_signals();
	if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
		fail(errno_message("block signals", errno));
	int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		fail(errno_message("signalfd", errno));
	fd_ = Fd(fd);
}

SignalAction AgentSignals::next(int &signo)
{
	struct signalfd_siginfo si;
	if (::read(fd_.get(), &si, sizeof(si)) != sizeof(si))
		return SignalAction::none;
	signo = static_cast<int>(si.ssi_signo);
	switch (signo) {
	case SIGHUP: return SignalAction::reload;
	case SIGUSR1: return SignalAction::stats;
	default: return SignalAction::stop;
	}
}

void AgentSignals::stop_if_asked()
{
	int signo = 0;
	for (SignalAction a; (a = next(signo)) != SignalAction::none;)
		if (a == SignalAction::stop)
			throw StopRequested{signo};
}

const char *signal_name(int signo)
{
	const char *abbrev = sigabbrev_np(signo);
	static thread_local char buf[16];
	if (!abbrev) {
		snprintf(buf, sizeof(buf), "signal %d", signo);
		return buf;
	}
	snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	return buf;
}

} // namespace guard
