// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/btf_ext.h"

#include <cstring>

#include "base/error.h"

namespace guard {

namespace {

constexpr uint16_t kBtfExtMagic = 0xeB9F;

struct BtfExtHeader {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len; // absent in headers older than CO-RE
};

uint32_t read_u32(std::span<const uint8_t> bytes, size_t at)
{
	uint32_t v;
	std::memcpy(&v, bytes.data() + at, sizeof(v));
	return v;
}

// One table: u32 record size, then (section name, count, records) groups.
// Records may be longer than the struct we know (newer clang): we read our
// prefix and step by the file's record size.
template <class Record>
void read_table(std::span<const uint8_t> table, std::string_view what, const Btf &btf,
		std::map<std::string, std::vector<Record>, std::less<>> &out)
{
	if (table.empty())
		return;
	if (table.size() < 4)
		fail(std::string(what) + ": shorter than its record size field");
	uint32_t rec_size = read_u32(table, 0);
	if (rec_size < sizeof(Record) || rec_size % 4 != 0 || rec_size > 1024)
		fail(std::string(what) + ": record size " + std::to_string(rec_size) + " (expected at least " +
		     std::to_string(sizeof(Record)) + ")");
	size_t pos = 4;
	while (pos < table.size()) {
		if (table.size() - pos < 8)
			fail(std::string(what) + ": section header truncated at byte " + std::to_string(pos));
		std::string section(btf.string_at(read_u32(table, pos)));
		uint32_t count = read_u32(table, pos + 4);
		pos += 8;
		if (count == 0 || (table.size() - pos) / rec_size < count)
			fail(std::string(what) + ": section " + section + ": " + std::to_string(count) +
			     " records do not fit");
		auto &records = out[section];
		for (uint32_t i = 0; i < count; i++, pos += rec_size) {
			Record r;
			std::memcpy(&r, table.data() + pos, sizeof(r));
			records.push_back(r);
		}
	}
}

std::span<const uint8_t> table_bytes(std::span<const uint8_t> body, uint32_t off, uint32_t len, std::string_view what)
{
	if (len == 0)
		return {};
	if (off > body.size() || len > body.size() - off)
		fail(std::string(what) + ": extends past the end of .BTF.ext");
	if (off % 4 != 0)
		fail(std::string(what) + ": not 4-byte aligned");
	return body.subspan(off, len);
}

} // namespace

BtfExt parse_btf_ext(std::span<const uint8_t> raw, const Btf &btf)
{
	BtfExtHeader hdr{};
	constexpr size_t kMinHeader = offsetof(BtfExtHeader, core_relo_off);
	if (raw.size() < kMinHeader)
		fail(".BTF.ext: " + std::to_string(raw.size()) + " bytes is shorter than its header");
	std::memcpy(&hdr, raw.data(), kMinHeader);
	if (hdr.magic != kBtfExtMagic)
		fail(".BTF.ext: bad magic");
	if (hdr.version != 1)
		fail(".BTF.ext: version " + std::to_string(hdr.version) + ", expected 1");
	if (hdr.hdr_len < kMinHeader || hdr.hdr_len > raw.size())
		fail(".BTF.ext: header length " + std::to_string(hdr.hdr_len) + " out of range");
	if (hdr.hdr_len >= sizeof(BtfExtHeader))
		std::memcpy(&hdr, raw.data(), sizeof(BtfExtHeader));

	std::span<const uint8_t> body = raw.subspan(hdr.hdr_len);
	BtfExt ext;
	read_table(table_bytes(body, hdr.func_info_off, hdr.func_info_len, "func_info"), ".BTF.ext func_info", btf,
		   ext.func_info);
	read_table(table_bytes(body, hdr.line_info_off, hdr.line_info_len, "line_info"), ".BTF.ext line_info", btf,
		   ext.line_info);
	if (hdr.hdr_len >= sizeof(BtfExtHeader))
		read_table(table_bytes(body, hdr.core_relo_off, hdr.core_relo_len, "core_relo"),
			   ".BTF.ext core_relo", btf, ext.core_relos);

	// Strings inside records must exist too: a hostile file must not make a
	// later step read outside .BTF.
	for (auto &[section, lines] : ext.line_info)
		for (const struct bpf_line_info &l : lines) {
			btf.string_at(l.file_name_off);
			btf.string_at(l.line_off);
		}
	for (auto &[section, relos] : ext.core_relos)
		for (const CoreReloRecord &r : relos)
			btf.string_at(r.access_str_off);
	return ext;
}

} // namespace guard
