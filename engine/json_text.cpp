// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/json_text.h"

#include <climits>
#include <cstdint>
#include <cstring>

#include "engine/json_number.h"
#include "engine/json_plain_run.h"

namespace guard {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one
// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
size_t utf8_sequence_length(const unsigned char *s, size_t left)
{
	unsigned char b = s[0];
	auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
		return k < left && s[k] >= lo && s[k] <= hi;
	};
	if (b >= 0xC2 && b <= 0xDF)
		return cont(1) ? 2 : 0;
	if (b == 0xE0)
		return cont(1, 0xA0) && cont(2) ? 3 : 0;
	if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF)
		return cont(1) && cont(2) ? 3 : 0;
	if (b == 0xED)
		return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
	if (b == 0xF0)
		return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
	if (b >= 0xF1 && b <= 0xF3)
		return cont(1) && cont(2) && cont(3) ? 4 : 0;
	if (b == 0xF4)
		return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
	return 0;
}

constexpr char kHex[] = "0123456789abcdef";

} // namespace

char *write_json_string_body(char *out, std::string_view bytes, bool &valid_utf8)
{
	const auto *s = reinterpret_cast<const unsigned char *>(bytes.data());
	size_t n = bytes.size();
	valid_utf8 = true;
	for (size_t i = 0; i < n;) {
		// Most bytes need nothing: copy runs of them a vector at a time.
		size_t run = copy_json_plain_run(out, s + i, n - i);
		out += run;
		i += run;
		if (i == n)
			break;
		unsigned char c = s[i];
		if (c < 0x80) {
			*out++ = '\\';
			switch (c) {
			case '"': *out++ = '"'; break;
			case '\\': *out++ = '\\'; break;
			case '\n': *out++ = 'n'; break;
			case '\t': *out++ = 't'; break;
			case '\r': *out++ = 'r'; break;
			case '\b': *out++ = 'b'; break;
			case '\f': *out++ = 'f'; break;
			default:
				std::memcpy(out, "u00", 3);
				out[3] = kHex[c >> 4];
				out[4] = kHex[c & 15];
				out += 5;
			}
			i++;
			continue;
		}
		size_t len = utf8_sequence_length(s + i, n - i);
		if (len == 0) {
			std::memcpy(out, "\xEF\xBF\xBD", 3); // U+FFFD REPLACEMENT CHARACTER
			out += 3;
			valid_utf8 = false;
			i++;
			continue;
		}
		std::memcpy(out, s + i, len);
		out += len;
		i += len;
	}
	return out;
}

bool json_plain(std::string_view bytes)
{
	for (unsigned char c : bytes)
		if (!json_plain_byte(c))
			return false;
	return true;
}

char *write_hex(char *out, std::string_view bytes)
{
	for (unsigned char c : bytes) {
		*out++ = kHex[c >> 4];
		*out++ = kHex[c & 15];
	}
	return out;
}

namespace {

// Days since 1970-01-01 to a civil date (proleptic Gregorian), after Howard
// Hinnant's "chrono-compatible low-level date algorithms".
void civil_from_days(int64_t z, int64_t &y, unsigned &m, unsigned &d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = static_cast<unsigned>(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = static_cast<int64_t>(yoe) + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
}

char *write_digits(char *out, uint64_t v, int width)
{
	int i = width - 1;
	for (; i >= 1; i -= 2) {
		unsigned pair = static_cast<unsigned>(v % 100) * 2;
		v /= 100;
		out[i] = json_digits::pairs[pair + 1];
		out[i - 1] = json_digits::pairs[pair];
	}
	if (i == 0)
		out[0] = static_cast<char>('0' + v % 10);
	return out + width;
}

// The nine digits of the fraction, on every event.
char *write_nanoseconds(char *out, uint32_t ns)
{
	*out = static_cast<char>('0' + ns / 100000000);
	return json_digits::write_8_digits(out + 1, ns % 100000000);
}

} // namespace

char *write_rfc3339(char *out, int64_t unix_ns)
{
	int64_t secs = unix_ns / 1000000000;
	int64_t ns = unix_ns % 1000000000;
	if (ns < 0) {
		ns += 1000000000;
		secs -= 1;
	}
	// Events come in bursts within one second: keep that second's
	// "YYYY-MM-DDTHH:MM:SS." and only write the nanoseconds. Per thread, so
	// no lock and no sharing.
	struct SecondCache {
		int64_t secs = INT64_MIN;
		char text[20] = {};
	};
	static thread_local SecondCache cache;
	if (cache.secs == secs) {
		std::memcpy(out, cache.text, 20);
		out = write_nanoseconds(out + 20, static_cast<uint32_t>(ns));
		*out++ = 'Z';
		return out;
	}
	char *start = out;
	int64_t days = secs / 86400;
	int64_t rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days -= 1;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, y, m, d);
	if (y < 0 || y > 9999) // outside RFC 3339's four-digit years
		y = y < 0 ? 0 : 9999;
	out = write_digits(out, static_cast<uint64_t>(y), 4);
	*out++ = '-';
	out = write_digits(out, m, 2);
	*out++ = '-';
	out = write_digits(out, d, 2);
	*out++ = 'T';
	out = write_digits(out, static_cast<uint64_t>(rem / 3600), 2);
	*out++ = ':';
	out = write_digits(out, static_cast<uint64_t>(rem / 60 % 60), 2);
	*out++ = ':';
	out = write_digits(out, static_cast<uint64_t>(rem % 60), 2);
	*out++ = '.';
	cache.secs = secs;
	std::memcpy(cache.text, start, 20);
	out = write_nanoseconds(out, static_cast<uint32_t>(ns));
	*out++ = 'Z';
	return out;
}

} // namespace guard
