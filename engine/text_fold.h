/* SPDX-License-Identifier: GPL-2.0-or-later */
// How a string test reads the text it tests: byte for byte (guard's own
// rules), or folded: ASCII letters in lower case (Sigma matches without case
// by default; its literals are stored lowered), and in a command line each
// NUL that ends an argument read as the space /proc/PID/cmdline readers
// print. Folding is per byte, on the fly: nothing is copied.
#pragma once

#include <cstddef>
#include <string_view>

namespace guard {

struct TextFold {
	bool lower = false;
	bool nul_space = false;

	bool identity() const { return !lower && !nul_space; }
	unsigned char operator()(unsigned char c) const
	{
		if (nul_space && c == 0)
			return ' ';
		if (lower && c >= 'A' && c <= 'Z')
			return static_cast<unsigned char>(c + ('a' - 'A'));
		return c;
	}
};

// Whether text[at, at + lit.size()) folds to lit.
inline bool folded_at(std::string_view text, size_t at, std::string_view lit, TextFold fold)
{
	for (size_t i = 0; i < lit.size(); i++)
		if (fold(static_cast<unsigned char>(text[at + i])) != static_cast<unsigned char>(lit[i]))
			return false;
	return true;
}

inline bool folded_equals(std::string_view text, std::string_view lit, TextFold fold)
{
	return text.size() == lit.size() && folded_at(text, 0, lit, fold);
}

inline bool folded_prefix(std::string_view text, std::string_view lit, TextFold fold)
{
	return text.size() >= lit.size() && folded_at(text, 0, lit, fold);
}

inline bool folded_suffix(std::string_view text, std::string_view lit, TextFold fold)
{
	return text.size() >= lit.size() && folded_at(text, text.size() - lit.size(), lit, fold);
}

inline bool folded_contains(std::string_view text, std::string_view lit, TextFold fold)
{
	if (lit.empty())
		return true;
	auto first = static_cast<unsigned char>(lit[0]);
	for (size_t at = 0; at + lit.size() <= text.size(); at++)
		if (fold(static_cast<unsigned char>(text[at])) == first && folded_at(text, at, lit, fold))
			return true;
	return false;
}

} // namespace guard
