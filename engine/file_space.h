/* SPDX-License-Identifier: GPL-2.0-or-later */
// Disk blocks for the next bytes of a regular file, allocated before they
// are written: fallocate(2) with FALLOC_FL_KEEP_SIZE, so the file's size
// (what a reader sees) stays as it is. A full file system then refuses a
// batch before any of it is written, instead of taking part of a line that
// a reader tailing the file would see until the writer cut it off again.
//
// Blocks are taken a chunk (64 KiB) ahead, one call per chunk, not per
// batch; the chunk's unwritten rest stays allocated past the end of the
// file. A file system without fallocate leaves the writer to its cut.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace guard {

class FileSpace {
public:
	static constexpr size_t kChunk = 64 * 1024;

	// A new fd (regular false: a pipe, socket or terminal, nothing to do).
	void reset(int fd, bool regular);

	// How many of the next len bytes at the end of the file have their
	// blocks: len, or less when the file system is nearly full (0: not
	// even one more byte, errno says why).
	size_t reserve(size_t len);

	// n bytes were written at the end.
	void advance(size_t n) { end_ += static_cast<off_t>(n); }

private:
	bool allocate(off_t from, off_t len);

	int fd_ = -1;
	bool enabled_ = false;
	off_t end_ = 0;         // where the next write lands (O_APPEND: the size)
	off_t reserved_to_ = 0; // blocks are allocated up to here
};

} // namespace guard
