/* SPDX-License-Identifier: GPL-2.0-or-later */
// Where the lines go: stdout, or a file (mode 0600, appended) that is
// reopened on SIGHUP (for logrotate's "move, then signal") and rotated by
// size (FILE -> FILE.1 -> ... -> FILE.N, the oldest dropped). Rotation is
// checked after each batch is written, so a file may pass the limit by at
// most one batch. Set-up and rotation run between batches, never per event.
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
	// Opens (creating parent-less files with 0600). Throws guard::Error.
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

	const std::string &error() const { return error_; }
	uint64_t rotations() const { return rotations_; }

private:
	int open_file();

	OutputOptions options_;
	int fd_ = -1;
	uint64_t size_at_open_ = 0;
	uint64_t written_at_open_ = 0;
	uint64_t rotations_ = 0;
	std::string error_;
};

} // namespace guard
