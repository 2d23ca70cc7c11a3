/* SPDX-License-Identifier: GPL-2.0-or-later */
// The sink: output lines gather in one preallocated buffer and leave in one
// write(2) per batch (a ring drain, or a full buffer), never one per event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace guard {

class BatchWriter {
public:
	// fd is not owned. capacity must exceed the largest line.
	BatchWriter(int fd, size_t capacity);

	// Room for a line of at most max_bytes: flushes first if the buffer has
	// less left. Write the line at the returned pointer, then commit its end.
	char *reserve(size_t max_bytes)
	{
		if (static_cast<size_t>(capacity_ - used_) < max_bytes)
			flush();
		return buffer_.get() + used_;
	}
	void commit(char *end) { used_ = static_cast<size_t>(end - buffer_.get()); }

	// Writes everything buffered (looping over short writes and EINTR).
	// Returns false, keeping errno, if the fd refused; the bytes are dropped
	// and counted, so a broken sink never stalls the ring.
	bool flush();

	int fd() const { return fd_; }
	// The output moved (reopened or rotated): later flushes go to fd.
	void set_fd(int fd) { fd_ = fd; }
	uint64_t bytes_written() const { return bytes_written_; }
	uint64_t bytes_dropped() const { return bytes_dropped_; }
	uint64_t writes() const { return writes_; }
	int last_error() const { return last_error_; }

private:
	int fd_;
	size_t capacity_;
	size_t used_ = 0;
	std::unique_ptr<char[]> buffer_;
	uint64_t bytes_written_ = 0;
	uint64_t bytes_dropped_ = 0;
	uint64_t writes_ = 0;
	int last_error_ = 0;
};

} // namespace guard
