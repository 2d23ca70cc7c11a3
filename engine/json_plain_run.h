/* SPDX-License-Identifier: GPL-2.0-or-later */
// The fast path of JSON string escaping: most bytes of a path or argument
// need nothing (printable ASCII other than '"' and '\\'), so runs of them are
// found and copied a vector at a time, and only the bytes that end a run go
// through the byte-by-byte escaper (json_text.cpp).
//
// SSE2 is part of the x86-64 baseline, so no CPU check is needed; other
// targets use the same test on 8 bytes in a 64-bit word (SWAR).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace guard {

inline bool json_plain_byte(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// True when none of the 8 bytes in w needs escaping or UTF-8 checking: no
// byte >= 0x80, < 0x20, '"' or '\\' (the classic SWAR zero-byte tests).
inline bool json_plain8(uint64_t w)
{
	constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	auto has_zero = [](uint64_t x) { return (x - ones) & ~x & highs; };
	uint64_t high = w & highs;
	uint64_t control = (w - 0x20 * ones) & ~w & highs; // a byte < 0x20
	uint64_t quote = has_zero(w ^ (ones * '"'));
	uint64_t backslash = has_zero(w ^ (ones * '\\'));
	return (high | control | quote | backslash) == 0;
}

#if defined(__SSE2__)
// Bit i set when byte i of the 16 at s needs escaping or UTF-8 checking.
inline unsigned json_special16(const unsigned char *s)
{
	__m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s));
	// A signed compare with 0x20 catches control bytes and, as negatives, every byte >= 0x80.
	__m128i special = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
				       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
	return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

// Copies the run of plain bytes that starts s[0..n) to out; returns its
// length. May write up to n bytes at out whatever the run's length: the
// caller has room for the escaped string, which is never shorter than n.
inline size_t copy_json_plain_run(char *out, const unsigned char *s, size_t n)
{
	size_t i = 0;
#if defined(__SSE2__)
	if (n >= 16) {
		for (; n - i >= 16; i += 16) {
			unsigned special = json_special16(s + i);
			std::memcpy(out + i, s + i, 16);
			if (special)
				return i + static_cast<size_t>(std::countr_zero(special));
		}
		if (i == n)
			return n;
		// The last 16 bytes, overlapping some already copied (which were
		// plain, so copying them again writes the same bytes).
		size_t back = 16 - (n - i);
		unsigned special = json_special16(s + n - 16) >> back;
		std::memcpy(out + n - 16, s + n - 16, 16);
		return special ? i + static_cast<size_t>(std::countr_zero(special)) : n;
	}
#endif
	for (; n - i >= 8; i += 8) {
		uint64_t w;
		std::memcpy(&w, s + i, 8);
		if (!json_plain8(w))
			break;
		std::memcpy(out + i, &w, 8);
	}
	for (; i < n && json_plain_byte(s[i]); i++)
		out[i] = static_cast<char>(s[i]);
	return i;
}

} // namespace guard
