// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/batch_writer.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace guard {

namespace {

mode_t file_type(int fd)
{
	struct stat st {};
	return ::fstat(fd, &st) == 0 ? st.st_mode & S_IFMT : 0;
}

} // namespace

size_t scan_lines(std::string_view data, size_t &count)
{
	count = static_cast<size_t>(std::count(data.begin(), data.end(), '\n'));
	size_t last = data.rfind('\n');
	return last == std::string_view::npos ? 0 : last + 1;
}

BatchWriter::BatchWriter(int fd, size_t capacity, UnitScan units)
	: capacity_(capacity), units_(units), buffer_(new char[capacity]), discard_(new char[capacity])
{
	set_fd(fd);
}

void BatchWriter::set_fd(int fd)
{
	fd_ = fd;
	regular_ = file_type(fd) == S_IFREG;
	socket_ = file_type(fd) == S_IFSOCK;
	space_.reset(fd, regular_);
}

// Of the len bytes from sent_, how many go to a regular file now: all, or
// the whole units its file system still has blocks for (0: none, errno set).
size_t BatchWriter::whole_units_with_space(size_t len)
{
	size_t room = space_.reserve(len);
	if (room >= len)
		return len;
	size_t units = 0;
	int err = errno;
	size_t whole = units_(std::string_view(buffer_.get() + sent_, room), units);
	errno = err;
	return whole;
}

char *BatchWriter::reserve_slow(size_t max_bytes)
{
	// A failing sink is tried again between batches, not once per line.
	if (!failing_)
		flush();
	if (static_cast<size_t>(capacity_ - used_) >= max_bytes)
		return buffer_.get() + used_;
	tap_pending(); // before the discarded line, which commit shows it
	discarding_ = true;
	return discard_.get();
}

void BatchWriter::tap_pending()
{
	if (tap_ && tapped_ < used_)
		tap_(std::string_view(buffer_.get() + tapped_, used_ - tapped_));
	tapped_ = used_;
}

bool BatchWriter::flush()
{
	tap_pending();
	while (sent_ < used_) {
		size_t len = regular_ ? whole_units_with_space(used_ - sent_) : used_ - sent_;
		if (len == 0) {
			on_write_error(errno);
			return false;
		}
		ssize_t n = socket_ ? ::send(fd_, buffer_.get() + sent_, len, MSG_DONTWAIT | MSG_NOSIGNAL)
				    : ::write(fd_, buffer_.get() + sent_, len);
		writes_++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			on_write_error(errno);
			return false;
		}
		space_.advance(static_cast<size_t>(n));
		sent_ += static_cast<size_t>(n);
		bytes_written_ += static_cast<uint64_t>(n);
	}
	used_ = sent_ = tapped_ = 0;
	failing_ = false;
	return true;
}

// The sink took part of the buffer, then refused. Whole units written are
// done; a unit written in part (a file system without fallocate, a file
// size limit) is cut off a regular file again, so a full disk never leaves
// half a line, and everything from it on is kept.
void BatchWriter::on_write_error(int err)
{
	last_error_ = err;
	write_errors_++;
	failing_ = true;
	size_t units = 0;
	size_t whole = units_(std::string_view(buffer_.get(), sent_), units);
	size_t torn = sent_ - whole;
	struct stat st {};
	if (torn > 0 && regular_ && ::fstat(fd_, &st) == 0 && static_cast<uint64_t>(st.st_size) >= torn &&
	    ::ftruncate(fd_, st.st_size - static_cast<off_t>(torn)) == 0) {
		::lseek(fd_, 0, SEEK_END); // without O_APPEND the offset would stay past the cut
		bytes_written_ -= torn;
		sent_ = whole;
	}
	std::memmove(buffer_.get(), buffer_.get() + whole, used_ - whole);
	used_ -= whole;
	sent_ -= whole;
	tapped_ = used_;
}

uint64_t BatchWriter::abandon()
{
	size_t units = 0;
	units_(std::string_view(buffer_.get(), used_), units);
	lost_lines_ += units;
	lost_bytes_ += used_ - sent_;
	used_ = sent_ = tapped_ = 0;
	return units;
}

} // namespace guard
