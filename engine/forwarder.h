/* SPDX-License-Identifier: GPL-2.0-or-later */
// Forwarding output lines to a syslog receiver or journald on a thread of
// its own, so that a slow, failing or absent receiver never holds up the
// ring consumer.
//
// The consumer hands over each batch's lines (push, between batches: one
// copy and one lock per batch, never per event) into a bounded queue; a
// line that does not fit is dropped and counted. The thread connects,
// formats (syslog_message.h, journal_message.h) and sends; a receiver
// that goes away is connected again with backoff (100 ms doubling to 5 s)
// while lines wait in the queue. Every line pushed is, in the end, sent or
// counted as dropped: emitted = sent + dropped + queued.
//
// "Sent" is what the kernel took: over TCP, a line the kernel took just
// before the receiver died can still be lost with the connection (before
// each send the connection is checked for the receiver's close, which
// catches a receiver that stopped; a crashed host's is not caught).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/forward_target.h"
#include "engine/syslog_message.h"

namespace guard {

struct ForwardStats {
	std::string name;
	uint64_t emitted = 0;            // lines pushed
	uint64_t sent = 0;               // lines the kernel took
	uint64_t dropped_queue_full = 0; // lines that found the queue full
	uint64_t dropped_unsendable = 0; // lines the transport refuses (a datagram too large)
	uint64_t dropped_at_exit = 0;    // lines still queued when stop's time ran out
	uint64_t queued = 0;             // lines waiting
	uint64_t queued_bytes = 0;
	uint64_t connects = 0;           // connections made (the first one and every reconnect)
	bool connected = false;
	int last_error = 0;              // the last failure's errno (0: none yet)

	uint64_t dropped() const { return dropped_queue_full + dropped_unsendable + dropped_at_exit; }
};

class Forwarder {
public:
	static constexpr size_t default_queue_bytes = size_t(16) << 20;

	// Starts the thread (it connects at once).
	Forwarder(ForwardTarget target, SyslogIdentity identity, size_t queue_bytes = default_queue_bytes);
	~Forwarder(); // stop(0) if not stopped
	Forwarder(const Forwarder &) = delete;
	Forwarder &operator=(const Forwarder &) = delete;

	// Whole lines, each ending in '\n'.
	void push(std::string_view lines);

	// Sends what is queued for at most `within`, then counts the rest as
	// dropped_at_exit and ends the thread.
	void stop(std::chrono::milliseconds within);

	ForwardStats stats() const;
	const std::string &name() const { return target_.name; }

private:
	using Clock = std::chrono::steady_clock;
	void run();
	bool ensure_connected(std::unique_lock<std::mutex> &lock);
	size_t take_chunk(std::string &chunk) const;
	// Sends chunk's lines; returns how many bytes of it are done (sent or
	// given up), counting them. False: the connection broke.
	bool send_chunk(const std::string &chunk, size_t &done_bytes);
	bool send_stream(const std::string &chunk, size_t &done_bytes);
	bool send_datagrams(const std::string &chunk, size_t &done_bytes);
	int send_datagram(std::string_view data);
	bool send_journal_memfd(std::string_view entry);
	bool wait_writable();
	bool peer_closed();
	void disconnect(int err);

	ForwardTarget target_;
	SyslogIdentity identity_;
	size_t capacity_;

	mutable std::mutex mu_;
	std::condition_variable wake_;
	std::string queue_; // whole lines from head_
	size_t head_ = 0;
	bool stopping_ = false;
	Clock::time_point stop_by_{};
	ForwardStats stats_;

	// The thread's own.
	int fd_ = -1;
	Clock::time_point next_attempt_{};
	std::chrono::milliseconds backoff_{0};
	bool reported_failing_ = false;
	std::string wire_;
	std::vector<size_t> frame_ends_;
	std::thread thread_;
};

} // namespace guard
