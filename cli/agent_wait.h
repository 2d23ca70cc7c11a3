// SPDX-License-Identifier: GPL-2.0-or-later
// How long the agent's loop sleeps between drains: the userspace half of the
// wakeup rules in kern/common.bpf.h.
//
// The kernel wakes the agent for a record that finds its ring nearly empty,
// unless that ring had a wakeup, or was busy, within the last
// kQuietWakeupMs. A record held back because of a recent wakeup must still
// be read soon: that wakeup ends one of our sleeps, and a second look
// kQuietWakeupMs after the drain that follows takes the record. The look
// follows every wakeup but the backlog threshold's (a ring held a sixteenth
// of itself as the drain began): a flood's large batches keep it cheap. Each
// look follows a kernel wakeup, and the kernel sends at most one quiet
// wakeup per ring every kQuietWakeupMs, so looks are as bounded as those.
// Otherwise the loop sleeps kFallbackMs, for the health timer and for a
// busy ring's backlog below the threshold.
#pragma once

namespace guard {

class AgentWait {
public:
	// Shared with the kernel (cli/agent_rings.cpp sets its knobs from these).
	static constexpr int kQuietWakeupMs = 1;
	static constexpr int kFallbackMs = 10;

	// After each drain: whether the sleep before it was ended by a ring's
	// wakeup (not the timeout or a signal), and whether a ring was at its
	// backlog threshold as the drain began.
	void after_drain(bool woken_by_ring, bool at_threshold) { second_look_ = woken_by_ring && !at_threshold; }

	// The timeout for the next sleep, in ms.
	int timeout_ms() const { return second_look_ ? kQuietWakeupMs : kFallbackMs; }

private:
	bool second_look_ = false;
};

} // namespace guard
