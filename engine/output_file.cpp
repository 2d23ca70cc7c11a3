// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "loader/error.h"

namespace guard {

OutputFile::OutputFile(OutputOptions options) : options_(std::move(options))
{
	if (options_.path.empty()) {
		fd_ = ::dup(STDOUT_FILENO);
		if (fd_ < 0)
			fail(errno_message("dup stdout", errno));
		return;
	}
	fd_ = open_file();
	if (fd_ < 0)
		fail(errno_message("open output " + options_.path, errno));
}

OutputFile::~OutputFile()
{
	if (fd_ >= 0)
		::close(fd_);
}

int OutputFile::open_file()
{
	// 0600: events name files and commands that other users need not see.
	int fd = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	struct stat st {};
	size_at_open_ = ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
	return fd;
}

bool OutputFile::reopen(BatchWriter &writer)
{
	if (!is_file())
		return true;
	writer.flush();
	int fd = open_file();
	if (fd < 0) {
		error_ = errno_message("reopen output " + options_.path, errno);
		return false;
	}
	::close(fd_);
	fd_ = fd;
	writer.set_fd(fd_);
	written_at_open_ = writer.bytes_written();
	return true;
}

bool OutputFile::after_flush(BatchWriter &writer)
{
	if (!is_file() || options_.rotate_bytes == 0)
		return true;
	uint64_t size = size_at_open_ + (writer.bytes_written() - written_at_open_);
	if (size < options_.rotate_bytes)
		return true;
	// FILE.(N-1) -> FILE.N, ..., FILE -> FILE.1; a missing one is fine.
	for (unsigned i = options_.rotate_keep; i >= 1; i--) {
		std::string from = i == 1 ? options_.path : options_.path + "." + std::to_string(i - 1);
		std::string to = options_.path + "." + std::to_string(i);
		if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
			error_ = errno_message("rotate " + from, errno);
			return false;
		}
	}
	if (options_.rotate_keep == 0)
		::unlink(options_.path.c_str());
	int fd = open_file();
	if (fd < 0) {
		error_ = errno_message("open output " + options_.path, errno);
		return false;
	}
	::close(fd_);
	fd_ = fd;
	writer.set_fd(fd_);
	written_at_open_ = writer.bytes_written();
	rotations_++;
	return true;
}

} // namespace guard
