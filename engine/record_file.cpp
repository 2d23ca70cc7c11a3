// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/record_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "abi/guard_abi.h"
#include "base/error.h"

namespace guard {

void write_record_file_header(int fd, int64_t boot_to_unix_ns)
{
	RecordFileHeader h {};
	std::memcpy(h.magic, "GUARDREC", 8);
	h.format = record_file_format;
	h.abi_version = GUARD_ABI_VERSION;
	h.boot_to_unix_ns = boot_to_unix_ns;
	ssize_t n;
	do
		n = ::write(fd, &h, sizeof(h));
	while (n < 0 && errno == EINTR);
	if (n != static_cast<ssize_t>(sizeof(h)))
		fail(n < 0 ? errno_message("write recording header", errno) : "write recording header: short write");
}

size_t scan_frames(std::string_view data, size_t &count)
{
	size_t at = 0;
	count = 0;
	uint32_t len;
	while (data.size() - at >= 4) {
		std::memcpy(&len, data.data() + at, 4);
		if (data.size() - at - 4 < len)
			break;
		at += 4 + len;
		count++;
	}
	return at;
}

RecordFile RecordFile::from_bytes(std::vector<uint8_t> bytes, const std::string &name)
{
	RecordFile f;
	f.bytes_ = std::move(bytes);
	if (f.bytes_.size() < sizeof(RecordFileHeader))
		fail(name + ": not a guard recording (shorter than its header)");
	std::memcpy(&f.header_, f.bytes_.data(), sizeof(RecordFileHeader));
	if (std::memcmp(f.header_.magic, "GUARDREC", 8) != 0)
		fail(name + ": not a guard recording (no GUARDREC header)");
	if (f.header_.format != record_file_format)
		fail(name + ": recording format " + std::to_string(f.header_.format) + ", this guard reads " +
		     std::to_string(record_file_format));
	if (f.header_.abi_version != GUARD_ABI_VERSION)
		fail(name + ": recorded with record ABI version " + std::to_string(f.header_.abi_version) +
		     ", this guard reads version " + std::to_string(GUARD_ABI_VERSION));
	size_t at = sizeof(RecordFileHeader);
	while (at < f.bytes_.size()) {
		size_t left = f.bytes_.size() - at;
		uint32_t len = 0;
		std::memcpy(&len, f.bytes_.data() + at, std::min<size_t>(left, 4));
		if (len > GUARD_RECORD_MAX)
			fail(name + ": frame at byte " + std::to_string(at) + " claims " + std::to_string(len) +
			     " bytes, more than a record holds");
		if (left < 4 || left - 4 < len) {
			// The file ends inside this frame: written up to a full disk or
			// a kill. Everything before it is whole.
			f.cut_short_ = name + ": cut short at byte " + std::to_string(f.bytes_.size()) + ", inside the frame at byte " +
				       std::to_string(at) + "; its " + std::to_string(f.frames_.size()) +
				       " whole records before it are read";
			break;
		}
		f.frames_.emplace_back(at + 4, len);
		at += 4 + len;
	}
	return f;
}

RecordFile RecordFile::load(const std::string &path)
{
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail(errno_message(path, errno));
	std::vector<uint8_t> bytes;
	uint8_t buf[1 << 16];
	for (;;) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			::close(fd);
			fail(errno_message(path, e));
		}
		if (n == 0)
			break;
		bytes.insert(bytes.end(), buf, buf + n);
	}
	::close(fd);
	return from_bytes(std::move(bytes), path);
}

} // namespace guard
