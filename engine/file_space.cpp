// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/file_space.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

namespace guard {

void FileSpace::reset(int fd, bool regular)
{
	fd_ = fd;
	enabled_ = regular;
	end_ = reserved_to_ = 0;
}

bool FileSpace::allocate(off_t from, off_t len)
{
	if (::fallocate(fd_, FALLOC_FL_KEEP_SIZE, from, len) == 0) {
		reserved_to_ = from + len;
		return true;
	}
	if (errno == EOPNOTSUPP || errno == ENOSYS)
		enabled_ = false; // this file system cannot: the writer's cut stays the only guard
	return false;
}

size_t FileSpace::reserve(size_t len)
{
	if (!enabled_ || end_ + static_cast<off_t>(len) <= reserved_to_)
		return len;
	// The end again, once a chunk: another writer may have appended, or
	// logrotate's copytruncate emptied the file.
	struct stat st {};
	if (::fstat(fd_, &st) != 0)
		return len;
	end_ = st.st_size;
	off_t want = static_cast<off_t>(len);
	if (want <= static_cast<off_t>(kChunk) && allocate(end_, kChunk))
		return len;
	// Nearly full: the largest half that still fits.
	for (; want > 0 && enabled_; want /= 2)
		if (allocate(end_, want))
			return static_cast<size_t>(want);
	return enabled_ ? 0 : len; // 0: errno says why
}

} // namespace guard
