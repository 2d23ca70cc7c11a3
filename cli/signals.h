/* SPDX-License-Identifier: GPL-2.0-or-later */
// The signals the running agent acts on. Every signal whose default would
// end guard is blocked and read from a signalfd between batches, so none
// can kill it without the final health record: SIGHUP reloads, SIGUSR1
// prints the stats line, every other one (SIGINT, SIGTERM, SIGQUIT, SIGUSR2,
// SIGALRM, real-time signals, a SIGSEGV sent with kill, ...) stops it as
// SIGTERM does. SIGPIPE and SIGXFSZ are ignored (a refused write is an
// output fault, counted and retried), and so are the terminal's stop signals
// (a stopped agent would be blind). SIGKILL and SIGSTOP cannot be caught.
#pragma once

#include "base/fd.h"

namespace guard {

enum class SignalAction { none, stop, reload, stats };

// Thrown when a stop signal comes while guard is still starting.
struct StopRequested {
	int signo;
};

class AgentSignals {
public:
	// Blocks the signals (threads started later inherit the mask) and opens
	// the signalfd. Throws guard::Error.
	AgentSignals();

	int fd() const { return fd_.get(); }

	// The next pending signal's action (none when none waits); signo is set
	// to the signal.
	SignalAction next(int &signo);

	// Between start-up steps: throws StopRequested when a stop signal
	// waits (a reload or stats request then has nothing to act on yet).
	void stop_if_asked();

private:
	Fd fd_;
};

// "SIGTERM"
const char *signal_name(int signo);

} // namespace guard
