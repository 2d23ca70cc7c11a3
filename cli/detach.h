/* SPDX-License-Identifier: GPL-2.0-or-later */
// Detaching fast. Closing a tracepoint's BPF link waits for an RCU grace
// period (perf_event_detach_bpf_prog: synchronize_rcu_tasks_trace), ~35 ms
// here; closing the tracepoint's last perf event waits for two more
// (perf_trace_event_unreg: tracepoint_synchronize_unregister) while holding
// the kernel's event_mutex, so those waits queue one behind the other. One
// after the other, guard's 59 links and 59 perf events took 2-6 s to stop.
//
// So: the links are closed all at once, a thread each, and their waits
// overlap (one grace period for all); the perf events, which carry no
// program once their link is gone, are handed at start-up to a helper
// process (this binary again, as "guard-detach") that closes them after
// guard has exited. guard stops in tens of milliseconds, every program
// detached and unloaded; the kernel's queue of perf event waits drains in
// the helper, which then exits.
#pragma once

#include <sys/types.h>

#include <vector>

#include "base/fd.h"
#include "loader/link.h"

namespace guard {

class DetachHelper {
public:
	// Starts the helper: fork, then exec of this binary as "guard-detach",
	// so it holds nothing of guard's but one socket (and its name is not
	// guard's: `pidof guard` finds guard alone). Without it (fork failed)
	// guard closes the perf events itself, slowly.
	static DetachHelper start();

	// Sends the perf events of links made with BPF_LINK_CREATE to the
	// helper and closes guard's copies (the links hold the events until
	// they are closed). Events attached with the older ioctl have no link
	// and stay: closing them is what detaches their program.
	void hand_over(std::vector<Link> &links);

private:
	Fd socket_;
};

// Closes every link at once, a thread each (at most 64), then the rest.
void detach_all(std::vector<Link> &links);

// The helper's own main: argv[0] is "guard-detach", fd 3 its socket.
// Receives perf events until guard's end of the socket closes, then closes
// them and exits.
int run_detach_helper();

// argv[0] that makes main() run the helper.
constexpr const char *detach_helper_name = "guard-detach";

} // namespace guard
