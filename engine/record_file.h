/* SPDX-License-Identifier: GPL-2.0-or-later */
// Recorded raw records, for replay without root (tests, benchmarks, looking
// again at what happened). A file is a header, then frames:
//
//   header  "GUARDREC" | u32 format (1) | u32 GUARD_ABI_VERSION |
//           i64 boot_to_unix_ns (CLOCK_REALTIME - CLOCK_BOOTTIME when
//           recorded, so replayed times are the real ones) | u64 reserved
//   frame   u32 length | the record's bytes exactly as the ring held them
//
// Little-endian, as the host that recorded it. The reader checks every
// length against the file; a record's own bounds are the decoder's job. A
// file cut short (a full disk, a killed recorder) keeps its whole frames:
// they are read, and the reader says where the file ends early.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/batch_writer.h"

namespace guard {

struct RecordFileHeader {
	char magic[8];
	uint32_t format;
	uint32_t abi_version;
	int64_t boot_to_unix_ns;
	uint64_t reserved;
};
static_assert(sizeof(RecordFileHeader) == 32);

constexpr uint32_t record_file_format = 1;

// Writes the header to fd at once (a recording that cannot start fails
// there); then append_record per record through a BatchWriter made with
// scan_frames. Throws guard::Error.
void write_record_file_header(int fd, int64_t boot_to_unix_ns);

// Frames: whole up to the end of the last complete frame (BatchWriter's
// UnitScan for recordings).
size_t scan_frames(std::string_view data, size_t &count);

inline void append_record(BatchWriter &writer, std::span<const uint8_t> record)
{
	char *p = writer.reserve(4 + record.size());
	uint32_t len = static_cast<uint32_t>(record.size());
	__builtin_memcpy(p, &len, 4);
	__builtin_memcpy(p + 4, record.data(), record.size());
	writer.commit(p + 4 + record.size());
}

// A whole recorded file in memory.
class RecordFile {
public:
	// Reads and checks the file. Throws guard::Error ("FILE: ...").
	static RecordFile load(const std::string &path);
	// From bytes already in memory; name is for messages.
	static RecordFile from_bytes(std::vector<uint8_t> bytes, const std::string &name);

	int64_t boot_to_unix_ns() const { return header_.boot_to_unix_ns; }
	uint32_t abi_version() const { return header_.abi_version; }
	size_t count() const { return frames_.size(); }
	// Empty, or why the file ends early and what of it is read.
	const std::string &cut_short() const { return cut_short_; }

	// fn(std::span<const uint8_t>) for each record, in order.
	template <class Fn>
	void for_each(Fn &&fn) const
	{
		for (const auto &[offset, length] : frames_)
			fn(std::span<const uint8_t>(bytes_.data() + offset, length));
	}

private:
	std::vector<uint8_t> bytes_;
	RecordFileHeader header_ {};
	std::vector<std::pair<size_t, uint32_t>> frames_;
	std::string cut_short_;
};

} // namespace guard
