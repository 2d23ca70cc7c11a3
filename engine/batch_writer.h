/* SPDX-License-Identifier: GPL-2.0-or-later */
// The sink: output lines gather in one preallocated buffer and leave in one
// write(2) per batch (a ring drain, or a full buffer), never one per event.
//
// A sink that refuses (ENOSPC, EIO, a pipe nobody reads) loses nothing
// silently: what was not written stays in the buffer and is written again
// by the next flush, in order; a regular file's blocks are taken before a
// batch goes to it (file_space.h), so a full file system takes whole lines
// only, and where that cannot be done, a file is cut back to its last whole
// line (or frame) so it never ends with part of one; lines that find the buffer full
// meanwhile are dropped whole and counted (lost_lines, lost_bytes). No
// write is retried per event: only flush(), called between batches, tries.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "engine/file_space.h"

namespace guard {

// How much of data is made of whole units (lines, recording frames): the
// length of that prefix, with count set to how many units it holds.
using UnitScan = size_t (*)(std::string_view data, size_t &count);

// Lines: whole up to the last '\n'.
size_t scan_lines(std::string_view data, size_t &count);

class BatchWriter {
public:
	// fd is not owned. capacity must exceed the largest line.
	BatchWriter(int fd, size_t capacity, UnitScan units = scan_lines);

	// Room for a line of at most max_bytes: flushes first if the buffer has
	// less left (unless the sink is failing: then the line goes to a scratch
	// area and commit counts it lost). Write the line at the returned
	// pointer, then commit its end.
	char *reserve(size_t max_bytes)
	{
		if (static_cast<size_t>(capacity_ - used_) < max_bytes)
			return reserve_slow(max_bytes);
		return buffer_.get() + used_;
	}
	void commit(char *end)
	{
		if (__builtin_expect(discarding_, 0)) {
			discarding_ = false;
			if (tap_)
				tap_(std::string_view(discard_.get(), static_cast<size_t>(end - discard_.get())));
			lost_lines_++;
			lost_bytes_ += static_cast<uint64_t>(end - discard_.get());
			return;
		}
		used_ = static_cast<size_t>(end - buffer_.get());
	}

	// Writes everything buffered (looping over short writes and EINTR).
	// Returns false, keeping errno in last_error(), if the fd refused: the
	// unwritten bytes stay buffered for the next flush.
	bool flush();

	// At exit, when flush still fails: what is buffered is given up and
	// counted lost. Returns how many units that was.
	uint64_t abandon();

	// Sees every line committed, once and in order, between batches, before
	// the fd is tried: a line this writer loses (its sink failing) is still
	// seen. The forwarders (forwarder.h): their outputs fail on their own.
	void set_tap(std::function<void(std::string_view)> tap) { tap_ = std::move(tap); }

	int fd() const { return fd_; }
	// The output moved (reopened or rotated): later flushes go to fd.
	void set_fd(int fd);
	bool failing() const { return failing_; }
	// Failing because the sink is full for now (EAGAIN: a pipe, a terminal
	// or a socket whose reader is behind), not because of a fault.
	bool sink_full() const { return failing_ && (last_error_ == EAGAIN || last_error_ == EWOULDBLOCK); }
	size_t capacity() const { return capacity_; }
	uint64_t bytes_written() const { return bytes_written_; }
	uint64_t writes() const { return writes_; }
	uint64_t write_errors() const { return write_errors_; }
	uint64_t lost_lines() const { return lost_lines_; }
	uint64_t lost_bytes() const { return lost_bytes_; }
	size_t pending_bytes() const { return used_ - sent_; }
	int last_error() const { return last_error_; }

private:
	char *reserve_slow(size_t max_bytes);
	void tap_pending();
	void on_write_error(int err);
	size_t whole_units_with_space(size_t len);

	int fd_ = -1;
	bool regular_ = false; // a regular file: a torn unit can be cut off again
	bool socket_ = false;  // written with send(MSG_DONTWAIT): never blocks
	FileSpace space_;      // a regular file's blocks, taken before a write
	size_t capacity_;
	size_t used_ = 0;
	size_t sent_ = 0; // bytes of [0, used_) already written (a pipe took part of a line)
	size_t tapped_ = 0; // bytes of [0, used_) the tap has seen
	std::function<void(std::string_view)> tap_;
	UnitScan units_;
	std::unique_ptr<char[]> buffer_;
	std::unique_ptr<char[]> discard_; // where lines go that cannot be kept
	bool discarding_ = false;
	bool failing_ = false;
	uint64_t bytes_written_ = 0;
	uint64_t writes_ = 0;
	uint64_t write_errors_ = 0;
	uint64_t lost_lines_ = 0;
	uint64_t lost_bytes_ = 0;
	int last_error_ = 0;
};

} // namespace guard
