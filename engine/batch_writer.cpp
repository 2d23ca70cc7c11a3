// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/batch_writer.h"

#include <unistd.h>

#include <cerrno>

namespace guard {

BatchWriter::BatchWriter(int fd, size_t capacity)
	: fd_(fd), capacity_(capacity), buffer_(new char[capacity])
{
}

bool BatchWriter::flush()
{
	size_t done = 0;
	bool ok = true;
	while (done < used_) {
		ssize_t n = ::write(fd_, buffer_.get() + done, used_ - done);
		writes_++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			last_error_ = errno;
			bytes_dropped_ += used_ - done;
			ok = false;
			break;
		}
		done += static_cast<size_t>(n);
	}
	bytes_written_ += done;
	used_ = 0;
	return ok;
}

} // namespace guard
