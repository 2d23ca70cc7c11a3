// SPDX-License-Identifier: GPL-2.0-or-later
// How long the agent's loop sleeps between drains: the userspace half of the
// wakeup rules in kern/common.bpf.h.
//
// The kernel wakes the agent for a record that finds its ring nearly empty,
// unless that ring had a wakeup, or was busy, within the last
// kQuietWakeupMs. A record held back because of a recent wakeup must still
// be read soon: that wakeup ends one of our sleeps, and a second look
// kQuietWakeupMs after the drain that follows takes the record. A quiet
// wakeup's drain is small (the kernel sent it with under 4 KiB waiting), so
// the look follows small drains only: never a flood's, woken by the backlog
// threshold, whose large batches keep a flood cheap. Each look follows a
// kernel wakeup, and the kernel sends at most one quiet wakeup per ring
// every kQuietWakeupMs, so looks are as bounded as those. Otherwise the loop
// sleeps kFallbackMs, for the health timer and for a busy ring's backlog
// below the threshold.
#pragma once

#include <cstddef>

namespace guard {

class AgentWait {
public:
	// Shared with the kernel (cli/agent_rings.cpp sets its knobs from these).
	static constexpr int kQuietWakeupMs = 1;
	static constexpr int kFallbackMs = 10;
	// A drain of fewer records is a quiet wakeup's.
	static constexpr size_t kQuietRecords = 32;

	// After each drain: how many records it took, and whether the sleep
	// before it was ended by a ring's wakeup (not the timeout or a signal).
	void after_drain(size_t records, bool woken_by_ring) { second_look_ = woken_by_ring && records < kQuietRecords; }

	// The timeout for the next sleep, in ms.
	int timeout_ms() const { return second_look_ ? kQuietWakeupMs : kFallbackMs; }

private:
	bool second_look_ = false;
};

} // namespace guard
