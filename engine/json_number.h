/* SPDX-License-Identifier: GPL-2.0-or-later */
// Decimal numbers for JSON lines. Inline, unlike the rest of json_text.h: an
// event line has eight or more numbers, and written in place (inside
// write_event_line) each is a few multiplies with the line's write position
// kept in a register, instead of a call that takes and returns it.
#pragma once

#include <cstdint>
#include <cstring>

namespace guard {

namespace json_digits {

inline constexpr char pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

// v < 100 at every call. The "% 100" costs nothing where the compiler knows
// that (everywhere, with optimisation) and tells it where it does not: GCC 12
// with the sanitizers loses the range of an inlined errno and warns of reads
// past the table.
inline void write_pair(char *out, uint32_t v) { std::memcpy(out, pairs + 2 * (v % 100), 2); }

// Exactly eight digits of v < 10^8: four pairs that do not wait on each other.
inline char *write_8_digits(char *out, uint32_t v)
{
	uint32_t high = v / 10000, low = v % 10000;
	write_pair(out, high / 100);
	write_pair(out + 2, high % 100);
	write_pair(out + 4, low / 100);
	write_pair(out + 6, low % 100);
	return out + 8;
}

// v < 10^8 without leading zeros, in 32-bit arithmetic.
inline char *write_up_to_8_digits(char *out, uint32_t v)
{
	if (v < 100) {
		if (v < 10) {
			*out = static_cast<char>('0' + v);
			return out + 1;
		}
		write_pair(out, v);
		return out + 2;
	}
	int digits = v < 10000 ? (v < 1000 ? 3 : 4) : v < 1000000 ? (v < 100000 ? 5 : 6) : (v < 10000000 ? 7 : 8);
	char *end = out + digits, *p = end;
	while (v >= 100) {
		p -= 2;
		write_pair(p, v % 100);
		v /= 100;
	}
	if (v >= 10)
		write_pair(p - 2, v);
	else
		p[-1] = static_cast<char>('0' + v);
	return end;
}

} // namespace json_digits

// Writes an unsigned decimal; returns the new end. Numbers are split at 10^8
// so each part is done in 32-bit arithmetic with short dependency chains
// (boot_ns, on every line, has 10 to 16 digits).
inline char *write_uint(char *out, uint64_t value)
{
	using namespace json_digits;
	if (value < 100000000)
		return write_up_to_8_digits(out, static_cast<uint32_t>(value));
	uint64_t high = value / 100000000;
	uint32_t low = static_cast<uint32_t>(value % 100000000);
	if (high < 100000000) {
		out = write_up_to_8_digits(out, static_cast<uint32_t>(high));
	} else { // 17 to 20 digits
		out = write_up_to_8_digits(out, static_cast<uint32_t>(high / 100000000));
		out = write_8_digits(out, static_cast<uint32_t>(high % 100000000));
	}
	return write_8_digits(out, low);
}

} // namespace guard
