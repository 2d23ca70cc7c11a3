// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/error.h"

namespace guard {

namespace {

const char *file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFDIR: return "a directory";
	case S_IFLNK: return "a symbolic link";
	default: return "not a regular file";
	}
}

bool is_null_device(const struct stat &st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3); }

std::string octal(unsigned mode)
{
	char buf[8];
	std::snprintf(buf, sizeof(buf), "%04o", mode);
	return buf;
}

// stdout, never blocking guard: a pipe or a terminal is opened again through
// /proc/self/fd/1, a description of guard's own, made non-blocking (setting
// O_NONBLOCK on the inherited one would change it for the shell too); a
// socket is written with MSG_DONTWAIT (BatchWriter); a file blocks no one.
int open_stdout()
{
	struct stat st {};
	if (::fstat(STDOUT_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
		int fd = ::open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0)
			return fd;
	}
	return ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
}

} // namespace

OutputFile::OutputFile(OutputOptions options) : options_(std::move(options))
{
	if (options_.path.empty()) {
		fd_ = open_stdout();
		if (fd_ < 0)
			fail(errno_message("dup stdout", errno));
		return;
	}
	fd_ = open_file();
	if (fd_ < 0)
		fail(error_);
}

OutputFile::~OutputFile()
{
	if (fd_ >= 0)
		::close(fd_);
}

// Every missing directory on the way, private: a rules file's "./log/x"
// the first time, or a log directory someone deleted under a running agent.
void OutputFile::make_directories()
{
	const std::string &p = options_.path;
	for (size_t slash = p.find('/', 1); slash != std::string::npos; slash = p.find('/', slash + 1)) {
		std::string dir = p.substr(0, slash);
		if (::mkdir(dir.c_str(), 0700) == 0)
			std::fprintf(stderr, "guard: created output directory %s (mode 0700)\n", dir.c_str());
	}
}

int OutputFile::open_file()
{
	const std::string &p = options_.path;
	// O_NOFOLLOW: a link planted at the path is refused, not followed into
	// a file of someone else's choosing. O_NONBLOCK: a FIFO opens (or
	// fails) at once instead of waiting for a reader.
	const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	int fd = ::open(p.c_str(), flags, 0600);
	if (fd < 0 && errno == ENOENT) {
		make_directories();
		fd = ::open(p.c_str(), flags, 0600);
	}
	if (fd < 0) {
		int err = errno;
		struct stat st {};
		if ((err == ELOOP || err == ENXIO) && ::lstat(p.c_str(), &st) == 0)
			error_ = "output " + p + ": " + file_type_name(st.st_mode) + ": refused (guard writes only to a regular file)";
		else
			error_ = errno_message("open output " + p, err);
		return -1;
	}
	struct stat st {};
	std::string refused;
	if (::fstat(fd, &st) != 0)
		refused = errno_message("fstat", errno);
	else if (is_null_device(st))
		return fd; // lines to nowhere (benchmarks): nothing to trust, and its mode is everyone's
	else if (!S_ISREG(st.st_mode))
		refused = std::string(file_type_name(st.st_mode)) + ": guard writes only to a regular file";
	else if (st.st_uid != ::geteuid())
		refused = "owned by uid " + std::to_string(st.st_uid) + ", not by guard's uid " + std::to_string(::geteuid());
	else if (st.st_nlink > 1)
		refused = "has " + std::to_string(st.st_nlink) + " hard links: another name could be read or replaced";
	if (!refused.empty()) {
		::close(fd);
		error_ = "output " + p + ": " + refused + ": refused";
		return -1;
	}
	// 0600: events name files and commands that other users need not see.
	if ((st.st_mode & 07777) != 0600) {
		if (::fchmod(fd, 0600) != 0) {
			error_ = errno_message("output " + p + ": set mode 0600", errno);
			::close(fd);
			return -1;
		}
		std::fprintf(stderr, "guard: output %s had mode %s: set to 0600\n", p.c_str(), octal(st.st_mode & 07777).c_str());
	}
	size_at_open_ = static_cast<uint64_t>(st.st_size);
	deleted_reported_ = false;
	return fd;
}

bool OutputFile::reopen(BatchWriter &writer)
{
	if (!is_file())
		return true;
	writer.flush();
	int fd = open_file();
	if (fd < 0)
		return false;
	::close(fd_);
	fd_ = fd;
	writer.set_fd(fd_);
	written_at_open_ = writer.bytes_written();
	return true;
}

bool OutputFile::newly_deleted()
{
	struct stat st {};
	if (!is_file() || deleted_reported_ || ::fstat(fd_, &st) != 0 || st.st_nlink > 0)
		return false;
	deleted_reported_ = true;
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
			size_at_open_ = 0;
			written_at_open_ = writer.bytes_written();
			return false;
		}
	}
	if (options_.rotate_keep == 0)
		::unlink(options_.path.c_str());
	int fd = open_file();
	if (fd < 0) {
		// Writing on to the file as it is now named; the next try comes
		// after another rotate_bytes, not at every batch (each try moves
		// the older files one further).
		size_at_open_ = 0;
		written_at_open_ = writer.bytes_written();
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
