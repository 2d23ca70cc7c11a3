// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/record_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "abi/guard_abi.h"
#include "loader/error.h"

namespace guard {

void write_record_file_header(BatchWriter &writer, int64_t boot_to_unix_ns)
{
	RecordFileHeader h {};
	std::memcpy(h.magic, "GUARDREC", 8);
	h.format = record_file_format;
	h.abi_version = GUARD_ABI_VERSION;
	h.boot_to_unix_ns = boot_to_unix_ns;
	char *p = writer.reserve(sizeof(h));
	std::memcpy(p, &h, sizeof(h));
	writer.commit(p + sizeof(h));
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
		uint32_t len;
		if (f.bytes_.size() - at < 4)
			fail(name + ": truncated frame header at byte " + std::to_string(at));
		std::memcpy(&len, f.bytes_.data() + at, 4);
		if (len > GUARD_RECORD_MAX || f.bytes_.size() - at - 4 < len)
			fail(name + ": frame at byte " + std::to_string(at) + " claims " + std::to_string(len) +
			     " bytes, more than the file or a record holds");
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
