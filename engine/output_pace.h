/* SPDX-License-Identifier: GPL-2.0-or-later */
// When the agent's loop leaves records in the rings for its output's sake.
//
// Lines leave in one write per batch (batch_writer.h). stdout that is a
// pipe, a terminal or a socket takes only what its reader has read (a pipe
// holds 64 KiB), and flat out a reader that shares a CPU with guard falls
// behind for milliseconds at a time. Formatting records into lines it
// cannot take would drop them as soon as the writer's buffer is full; left
// in the rings (megabytes, and the kernel counts what does not fit), they
// wait for the reader instead, and guard, asleep on the output, lets it run.
// A reader that takes nothing for kReaderGrace has stopped: that is a fault
// like a full disk, and the loop drains on (lines counted lost, the process
// table kept current) until it takes something again.
#pragma once

#include <chrono>
#include <cstdint>

#include "engine/batch_writer.h"

namespace guard {

class OutputPace {
public:
	using Clock = std::chrono::steady_clock;
	static constexpr std::chrono::milliseconds kReaderGrace{1000};

	// Enough waits in the writer to write it before reading more records:
	// half its buffer, so the records of a drain fit without a flush in the
	// middle (where a refused write would drop a line). Not while the sink
	// fails (a full disk, a reader gone quiet): flushing would not help, and
	// the drain goes on, lines that find the buffer full counted lost.
	static bool batch_full(const BatchWriter &w) { return !w.failing() && w.pending_bytes() >= w.capacity() / 2; }

	// After each flush: notes whether the sink is full (EAGAIN) and since
	// when its reader took nothing.
	void after_flush(const BatchWriter &w, Clock::time_point now)
	{
		if (!w.sink_full()) {
			waiting_ = false;
		} else if (!waiting_ || w.bytes_written() != written_) {
			waiting_ = true;
			since_ = now;
			written_ = w.bytes_written();
		}
	}

	// The loop waits for the reader rather than drains: it took something
	// within kReaderGrace. Not a fault: nothing is lost, nothing is said.
	bool reader_behind(Clock::time_point now) const { return waiting_ && now - since_ < kReaderGrace; }

private:
	bool waiting_ = false;
	Clock::time_point since_;
	uint64_t written_ = 0;
};

} // namespace guard
