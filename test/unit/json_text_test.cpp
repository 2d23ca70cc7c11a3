// SPDX-License-Identifier: GPL-2.0-or-later
// JSON text: every byte sequence becomes valid JSON that says what the bytes were.
#include <doctest/doctest.h>

#include <simdjson.h>

#include <cstdio>
#include <string>
#include <vector>

#include "engine/json_text.h"

using namespace guard;

namespace {

struct Escaped {
	std::string text;
	bool valid;
};

Escaped escape(std::string_view in)
{
	std::string out(json_string_body_max(in.size()), '\0');
	bool valid = false;
	char *end = write_json_string_body(out.data(), in, valid);
	out.resize(static_cast<size_t>(end - out.data()));
	return {out, valid};
}

// Parses "<escaped>" as a JSON string with a strict parser.
std::string parse_back(const std::string &escaped)
{
	simdjson::dom::parser parser;
	std::string doc = "\"" + escaped + "\"";
	std::string_view value;
	REQUIRE(parser.parse(doc).get(value) == simdjson::SUCCESS);
	return std::string(value);
}

} // namespace

TEST_CASE("plain ASCII is copied")
{
	CHECK(escape("/usr/bin/true").text == "/usr/bin/true");
	CHECK(escape("/usr/bin/true").valid);
}

TEST_CASE("quotes, backslashes and control characters are escaped")
{
	Escaped e = escape(std::string_view("a\"b\\c\nd\te\x01\x1f\x7f", 12));
	CHECK(e.text == "a\\\"b\\\\c\\nd\\te\\u0001\\u001f\x7f");
	CHECK(e.valid);
	CHECK(parse_back(e.text) == std::string("a\"b\\c\nd\te\x01\x1f\x7f", 12));
}

TEST_CASE("a NUL inside is escaped, not a terminator")
{
	Escaped e = escape(std::string_view("a\0b", 3));
	CHECK(e.text == "a\\u0000b");
}

TEST_CASE("valid UTF-8 passes through")
{
	Escaped e = escape("/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80");
	CHECK(e.valid);
	CHECK(e.text == "/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80");
}

TEST_CASE("invalid UTF-8 becomes U+FFFD and is flagged")
{
	for (std::string_view bad : {std::string_view("\xff"), std::string_view("\xc0\xaf"), std::string_view("\xc3"),
				     std::string_view("\xed\xa0\x80"), std::string_view("\xf4\x90\x80\x80"),
				     std::string_view("\xe2\x82")}) {
		Escaped e = escape(bad);
		CHECK_FALSE(e.valid);
		CHECK(e.text.find("\xef\xbf\xbd") != std::string::npos);
		CHECK(parse_back(e.text).size() > 0);
	}
}

TEST_CASE("any byte sequence gives JSON a strict parser accepts")
{
	uint32_t seed = 99;
	for (int round = 0; round < 5000; round++) {
		std::string in(seed % 64, '\0');
		for (auto &c : in) {
			seed = seed * 1103515245 + 12345;
			c = static_cast<char>(seed >> 16);
		}
		seed = seed * 1103515245 + 12345;
		parse_back(escape(in).text);
	}
}

TEST_CASE("hex")
{
	std::string out(8, '\0');
	char *end = write_hex(out.data(), std::string_view("\x00\xff\x10\xab", 4));
	CHECK(std::string(out.data(), end) == "00ff10ab");
}

TEST_CASE("RFC 3339 times")
{
	auto fmt = [](int64_t ns) {
		char buf[rfc3339_max];
		return std::string(buf, write_rfc3339(buf, ns));
	};
	CHECK(fmt(0) == "1970-01-01T00:00:00.000000000Z");
	CHECK(fmt(951782400123456789) == "2000-02-29T00:00:00.123456789Z");
	CHECK(fmt(1795359845000000001) == "2026-11-22T15:04:05.000000001Z");
	CHECK(fmt(-1) == "1969-12-31T23:59:59.999999999Z");
	// Within one second (the cached prefix), every digit position of the fraction.
	for (uint32_t ns = 1; ns < 1000000000; ns = ns * 7 + 3) {
		char want[16];
		std::snprintf(want, sizeof(want), "%09u", ns);
		CHECK(fmt(1795359845000000000 + ns) == "2026-11-22T15:04:05." + std::string(want) + "Z");
	}
	CHECK(fmt(1795359845999999999) == "2026-11-22T15:04:05.999999999Z");
	CHECK(fmt(1795359846000000000) == "2026-11-22T15:04:06.000000000Z");
}

namespace {

// The rule of json_text.h one byte at a time, with UTF-8 checked by decoding
// (RFC 3629): what the vectorized escaper must give.
std::string escape_reference(std::string_view in, bool &valid)
{
	std::string out;
	valid = true;
	const auto *s = reinterpret_cast<const unsigned char *>(in.data());
	for (size_t i = 0; i < in.size();) {
		unsigned char c = s[i];
		if (c < 0x80) {
			char buf[8];
			if (c == '"' || c == '\\')
				out += {'\\', static_cast<char>(c)};
			else if (c == '\n')
				out += "\\n";
			else if (c == '\t')
				out += "\\t";
			else if (c == '\r')
				out += "\\r";
			else if (c == '\b')
				out += "\\b";
			else if (c == '\f')
				out += "\\f";
			else if (c < 0x20)
				out.append(buf, static_cast<size_t>(std::snprintf(buf, sizeof(buf), "\\u%04x", c)));
			else
				out += static_cast<char>(c);
			i++;
			continue;
		}
		size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
		uint32_t cp = len == 4 ? c & 0x07 : len == 3 ? c & 0x0F : c & 0x1F;
		bool ok = len != 0 && i + len <= in.size();
		for (size_t k = 1; ok && k < len; k++) {
			ok = (s[i + k] & 0xC0) == 0x80;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
		ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
		if (ok) {
			out.append(in.substr(i, len));
			i += len;
		} else {
			out += "\xEF\xBF\xBD";
			valid = false;
			i++;
		}
	}
	return out;
}

} // namespace

TEST_CASE("the vectorized escaper agrees with the byte-by-byte rule at every length and position")
{
	uint32_t seed = 12345;
	auto next = [&] { return seed = seed * 1103515245 + 12345; };
	const char specials[] = {'"', '\\', '\n', '\x01', '\x1f', '\x7f', '\xc3', '\xa9', '\xe2', '\x82', '\xac', '\xff', '\xf0', '\x9f'};
	for (int round = 0; round < 20000; round++) {
		size_t len = next() % 70;
		std::string in;
		// Mostly plain text, with a few special bytes (or none) at random places.
		int rate = static_cast<int>(next() % 4); // 0: none
		for (size_t i = 0; i < len; i++) {
			unsigned r = next() >> 8;
			if (rate && r % (8 << rate) == 0)
				in += specials[(r >> 8) % sizeof(specials)];
			else
				in += static_cast<char>('a' + (r >> 8) % 26);
		}
		bool want_valid;
		std::string want = escape_reference(in, want_valid);
		std::vector<char> buf(json_string_body_max(in.size()) + 1);
		bool valid;
		char *end = write_json_string_body(buf.data(), in, valid);
		REQUIRE(std::string(buf.data(), end) == want);
		CHECK(valid == want_valid);
	}
}

TEST_CASE("unsigned decimals: every length, every boundary")
{
	auto fmt = [](uint64_t v) {
		char buf[24];
		return std::string(buf, write_uint(buf, v));
	};
	std::vector<uint64_t> values = {0, UINT64_MAX, UINT64_MAX - 1, 4026531841ull, 1000000000ull};
	for (uint64_t p = 1; p <= 10000000000000000000ull; p *= 10) {
		values.insert(values.end(), {p - 1, p, p + 1, 2 * p - 1, 9 * p});
		if (p > UINT64_MAX / 10)
			break;
	}
	uint64_t x = 88172645463325252ull; // xorshift64: every magnitude
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		values.push_back(x >> (x % 64));
	}
	for (uint64_t v : values)
		REQUIRE(fmt(v) == std::to_string(v));
}
