// SPDX-License-Identifier: GPL-2.0-or-later
// The decoder's bounds: whatever bytes arrive, it reads only inside them and
// says what was wrong.
#include <doctest/doctest.h>

#include "engine/record.h"
#include "test/support/records.h"

using namespace guard;

TEST_CASE("a well-formed exec record decodes")
{
	auto bytes = test::make_exec(42, "true", "/bin/true");
	Record rec;
	REQUIRE(decode_record(bytes, rec) == DecodeError::none);
	CHECK(rec.header.kind == GUARD_RECORD_EXEC);
	CHECK(rec.header.pid == 42);
	CHECK(rec.path_given == "/bin/true");
}

TEST_CASE("every truncation of a record is refused")
{
	auto bytes = test::make_exec(42, "true", "/bin/true");
	for (size_t len = 0; len < bytes.size(); len++) {
		Record rec;
		DecodeError err = decode_record(std::span(bytes.data(), len), rec);
		CHECK(err != DecodeError::none);
		if (len < sizeof(struct guard_header))
			CHECK(err == DecodeError::short_record);
		else
			CHECK(err == DecodeError::size_mismatch);
	}
}

TEST_CASE("a record longer than its header says is refused")
{
	auto bytes = test::make_exec(42, "true", "/bin/true");
	bytes.resize(bytes.size() + 16, 0xAA);
	Record rec;
	CHECK(decode_record(bytes, rec) == DecodeError::size_mismatch);
}

TEST_CASE("a header that claims too little for its kind is refused")
{
	auto bytes = test::make_exec(42, "true", "");
	bytes.resize(sizeof(struct guard_header) + 2);
	__u16 size = static_cast<__u16>(bytes.size());
	std::memcpy(bytes.data() + offsetof(struct guard_header, size), &size, sizeof(size));
	Record rec;
	CHECK(decode_record(bytes, rec) == DecodeError::short_record);
}

TEST_CASE("strings pointing outside the record are refused")
{
	struct Case {
		__u16 offset, length;
	};
	auto good = test::make_exec(42, "true", "/bin/true");
	for (Case c : {Case{0, 4}, Case{8, 4}, Case{sizeof(struct guard_exec) - 1, 1},
		       Case{sizeof(struct guard_exec), 0xFFFF}, Case{0xFFFF, 1},
		       Case{static_cast<__u16>(good.size()), 1}}) {
		auto bytes = good;
		struct guard_string s {c.offset, c.length};
		std::memcpy(bytes.data() + offsetof(struct guard_exec, path_given), &s, sizeof(s));
		Record rec;
		CHECK(decode_record(bytes, rec) == DecodeError::string_out_of_bounds);
	}
	// The empty string right at the end is inside.
	auto bytes = good;
	struct guard_string s {static_cast<__u16>(good.size()), 0};
	std::memcpy(bytes.data() + offsetof(struct guard_exec, path_given), &s, sizeof(s));
	Record rec;
	CHECK(decode_record(bytes, rec) == DecodeError::none);
	CHECK(rec.path_given.empty());
}

TEST_CASE("other versions and unknown kinds are refused")
{
	auto bytes = test::make_exec(42, "true", "/bin/true");
	auto other = bytes;
	__u16 version = GUARD_ABI_VERSION + 1;
	std::memcpy(other.data() + offsetof(struct guard_header, version), &version, sizeof(version));
	Record rec;
	CHECK(decode_record(other, rec) == DecodeError::bad_version);

	other = bytes;
	__u16 kind = 999;
	std::memcpy(other.data() + offsetof(struct guard_header, kind), &kind, sizeof(kind));
	CHECK(decode_record(other, rec) == DecodeError::unknown_kind);
}

TEST_CASE("the kinds of this ABI version: file_mkdir is a file record, net_send a net record with its count")
{
	CHECK(record_family(GUARD_RECORD_FILE_MKDIR) == RecordFamily::file);
	CHECK(record_family(GUARD_RECORD_NET_SEND) == RecordFamily::net);
	CHECK(guard_ring_of(GUARD_RECORD_FILE_MKDIR) == GUARD_RING_FILE);
	CHECK(guard_ring_of(GUARD_RECORD_NET_SEND) == GUARD_RING_PROC_NET);
	for (uint16_t kind = GUARD_RECORD_EXEC; kind < GUARD_RECORD_KIND_MAX; kind++) {
		CAPTURE(kind);
		CHECK(!record_kind_name(kind).empty());
		CHECK(record_family(kind) != RecordFamily::unknown);
	}

	// A net record one byte short of its fixed part is refused, whatever its kind.
	struct guard_net n {};
	n.header = test::make_header(GUARD_RECORD_NET_SEND, 1, "dig");
	n.count = 3;
	n.header.size = sizeof(n);
	n.unix_path = n.given_unix_path = {sizeof(n), 0};
	std::vector<uint8_t> bytes(sizeof(n));
	std::memcpy(bytes.data(), &n, sizeof(n));
	Record rec;
	REQUIRE(decode_record(bytes, rec) == DecodeError::none);
	CHECK(rec.count == 3);
	bytes.pop_back();
	__u16 size = static_cast<__u16>(bytes.size());
	std::memcpy(bytes.data() + offsetof(struct guard_header, size), &size, sizeof(size));
	CHECK(decode_record(bytes, rec) == DecodeError::short_record);
}

TEST_CASE("random bytes never decode out of bounds")
{
	uint32_t seed = 7;
	std::vector<uint8_t> bytes;
	for (int round = 0; round < 20000; round++) {
		seed = seed * 1103515245 + 12345;
		bytes.resize(seed % 300);
		for (auto &b : bytes) {
			seed = seed * 1103515245 + 12345;
			b = static_cast<uint8_t>(seed >> 16);
		}
		Record rec;
		if (decode_record(bytes, rec) == DecodeError::none && rec.header.kind == GUARD_RECORD_EXEC) {
			auto *begin = reinterpret_cast<const char *>(bytes.data());
			CHECK(rec.path_given.data() >= begin);
			CHECK(rec.path_given.data() + rec.path_given.size() <= begin + bytes.size());
		}
	}
}
