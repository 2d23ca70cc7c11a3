/* SPDX-License-Identifier: GPL-2.0-or-later */
// Where the lines go: stdout, or a file (mode 0600, appended) that is
// reopened on SIGHUP (for logrotate's "move, then signal") and rotated by
// size (FILE -> FILE.1 -> ... -> FILE.N, the oldest dropped). Rotation is
// checked after each batch is written, so a file may pass the limit by at
// most one batch. Set-up and rotation run between batches, never per event.
//
// The file is one root can trust to be its own: opened without following
// a symbolic link and without blocking (a FIFO planted there is refused,
// not waited on), a regular file owned by guard's user with no other hard
// link, its mode forced to 0600; or the null device (/dev/null, left as it
// is). A missing directory is made (0700), so a deleted log directory comes
// back at the next reopen. What it changes (a directory made, a mode set)
// it says on stderr.
#pragma once

#include <cstdint>
#include <string>

#include "engine/batch_writer.h"

namespace guard {

struct OutputOptions {
	std::string path;         // empty: stdout
	uint64_t rotate_bytes = 0; // 0: never rotate
	unsigned rotate_keep = 5;  // rotated files kept besides the current one
};

class OutputFile {
public:
	// Opens (creating the file 0600 and its directories 0700). Throws
	// guard::Error naming the path and why it is refused.
	explicit OutputFile(OutputOptions options);
	~OutputFile();
	OutputFile(const OutputFile &) = delete;
	OutputFile &operator=(const OutputFile &) = delete;

	int fd() const { return fd_; }
	bool is_file() const { return !options_.path.empty(); }
	const std::string &path() const { return options_.path; }

	// Reopens the file by name (after someone moved it away): flushes writer
	// into the old file, then points it at the new one. Returns false and
	// keeps the old fd if the new open fails; error() says why.
	bool reopen(BatchWriter &writer);

	// After a flush: rotates when the file has grown past rotate_bytes.
	// Points writer at the new fd. Returns false on failure (kept writing to
	// the old file).
	bool after_flush(BatchWriter &writer);

	// Whether the open file has lost its last name (deleted, or its
	// directory was): true once per file, so the caller reports it once.
	bool newly_deleted();

	const std::string &error() const { return error_; }
	uint64_t rotations() const { return rotations_; }

private:
	// The open file's fd, or -1 with error_ set.
	int open_file();
	void make_directories();

	OutputOptions options_;
	int fd_ = -1;
	uint64_t size_at_open_ = 0;
	uint64_t written_at_open_ = 0;
	uint64_t rotations_ = 0;
	bool deleted_reported_ = false;
	std::string error_;
};

} // namespace guard
