// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/values.h"

#include <algorithm>
#include <map>

namespace guard::sigma {

namespace {

using Position = Modifiers::Position;

// A Sigma value read for its wildcards: '*' and '?' are wildcards, "\*",
// "\?" and "\\" the characters themselves, any other backslash a backslash.
struct Pattern {
	std::string glob;  // guard's glob syntax, every literal byte safe in it
	std::string plain; // the value without escapes (when no wildcard)
	bool wildcard = false;
};

Pattern read_pattern(std::string_view v)
{
	Pattern p;
	for (size_t i = 0; i < v.size(); i++) {
		char c = v[i];
		if (c == '\\' && i + 1 < v.size() && (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\'))
			c = v[++i];
		else if (c == '*' || c == '?') {
			p.glob += c;
			p.wildcard = true;
			continue;
		}
		if (c == '*' || c == '?' || c == '[' || c == '\\')
			p.glob += '\\'; // literal in guard's glob too
		p.glob += c;
		p.plain += c;
	}
	return p;
}

std::string lowered(std::string s)
{
	for (char &c : s)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c + ('a' - 'A'));
	return s;
}

StringTest test_of(const Pattern &p, Position pos, bool nocase)
{
	auto fold = [&](std::string s) { return nocase ? lowered(std::move(s)) : s; };
	if (!p.wildcard) {
		NodeOp op = pos == Position::contains     ? NodeOp::str_contains
			    : pos == Position::startswith ? NodeOp::str_prefix
			    : pos == Position::endswith   ? NodeOp::str_suffix
							  : NodeOp::str_equals;
		return {op, fold(p.plain), nocase};
	}
	std::string g = p.glob;
	if (pos == Position::contains || pos == Position::endswith)
		g = "*" + g;
	if (pos == Position::contains || pos == Position::startswith)
		g += "*";
	return {NodeOp::str_glob, fold(g), nocase};
}

// windash: a '-' or '/' that starts a word (at the start, or after a
// character that is not a letter, digit or '_', and before one that is) may
// be written with any of these.
const char *const kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};

bool word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

std::vector<std::string> windash_variants(std::string_view v)
{
	std::vector<std::string> out;
	for (const char *dash : kDashes) {
		std::string s;
		for (size_t i = 0; i < v.size(); i++) {
			bool flag = (v[i] == '-' || v[i] == '/') && (i == 0 || !word_char(v[i - 1])) && i + 1 < v.size() &&
				    word_char(v[i + 1]);
			s += flag ? std::string(dash) : std::string(1, v[i]);
		}
		if (std::find(out.begin(), out.end(), s) == out.end())
			out.push_back(s);
	}
	return out;
}

// base64offset: the value's encodings at the three alignments it can have
// inside a longer encoded text, each without the characters that depend on
// the bytes around it.
std::vector<std::string> base64_offsets(std::string_view v)
{
	static const size_t lead[3] = {0, 2, 3};
	std::vector<std::string> out;
	for (size_t shift = 0; shift < 3; shift++) {
		std::string encoded = base64(std::string(shift, ' ') + std::string(v));
		size_t end = encoded.size();
		size_t rest = (v.size() + shift) % 3; // bytes in the last, partial group
		if (rest == 1)
			end -= 3; // "xy==": y mixes in the byte that follows
		else if (rest == 2)
			end -= 2; // "xyz=": z mixes in the byte that follows
		out.push_back(encoded.substr(lead[shift], end > lead[shift] ? end - lead[shift] : 0));
	}
	return out;
}

} // namespace

std::string base64(std::string_view bytes)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	std::string out;
	for (size_t i = 0; i < bytes.size(); i += 3) {
		uint32_t n = uint32_t(static_cast<unsigned char>(bytes[i])) << 16;
		if (i + 1 < bytes.size())
			n |= uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8;
		if (i + 2 < bytes.size())
			n |= static_cast<unsigned char>(bytes[i + 2]);
		out += digits[n >> 18 & 63];
		out += digits[n >> 12 & 63];
		out += i + 1 < bytes.size() ? digits[n >> 6 & 63] : '=';
		out += i + 2 < bytes.size() ? digits[n & 63] : '=';
	}
	return out;
}

std::optional<std::string> parse_modifiers(const std::vector<std::string_view> &names, Modifiers &m)
{
	static const std::map<std::string_view, std::string_view> unsupported = {
		{"utf16", "UTF-16 text exists in Windows logs only"},
		{"utf16le", "UTF-16 text exists in Windows logs only"},
		{"utf16be", "UTF-16 text exists in Windows logs only"},
		{"wide", "UTF-16 text exists in Windows logs only"},
		{"expand", "placeholders need a pipeline guard does not have"},
	};
	for (std::string_view name : names) {
		auto position = [&](Position p) {
			bool free = m.position == Position::equals;
			m.position = p;
			return free;
		};
		bool ok = true;
		if (name == "contains")
			ok = position(Position::contains);
		else if (name == "startswith")
			ok = position(Position::startswith);
		else if (name == "endswith")
			ok = position(Position::endswith);
		else if (name == "all")
			m.all = true;
		else if (name == "cased")
			m.cased = true;
		else if (name == "windash")
			m.windash = true;
		else if (name == "base64")
			m.base64 = true;
		else if (name == "base64offset")
			m.base64offset = true;
		else if (name == "re")
			m.re = true;
		else if (name == "i" || name == "m" || name == "s") {
			if (!m.re)
				return "modifier \"" + std::string(name) + "\" applies to \"re\" only";
			(name == "i" ? m.re_i : name == "m" ? m.re_m : m.re_s) = true;
		} else if (name == "cidr")
			m.cidr = true;
		else if (name == "exists")
			m.exists = true;
		else if (name == "fieldref")
			m.fieldref = true;
		else if (name == "gt" || name == "gte" || name == "lt" || name == "lte")
			m.cmp = name == "gt" ? Cmp::gt : name == "gte" ? Cmp::ge : name == "lt" ? Cmp::lt : Cmp::le;
		else if (auto u = unsupported.find(name); u != unsupported.end())
			return "modifier \"" + std::string(name) + "\" is not supported: " + std::string(u->second);
		else
			return "unknown modifier \"" + std::string(name) + "\"";
		if (!ok)
			return "more than one of contains, startswith, endswith";
	}
	if (m.base64 && m.base64offset)
		return "base64 and base64offset together";
	return std::nullopt;
}

std::vector<StringTest> string_tests(std::string_view value, const Modifiers &m)
{
	std::vector<std::string> texts = m.windash ? windash_variants(value) : std::vector<std::string>{std::string(value)};
	std::vector<StringTest> out;
	for (const std::string &text : texts) {
		if (m.base64 || m.base64offset) {
			// The encoded text, matched as it is: base64 has cases of its own.
			Pattern plain = read_pattern(text);
			std::vector<std::string> encoded = m.base64 ? std::vector<std::string>{base64(plain.plain)}
								    : base64_offsets(plain.plain);
			for (const std::string &e : encoded)
				out.push_back(test_of(read_pattern(e), m.position, false));
			continue;
		}
		out.push_back(test_of(read_pattern(text), m.position, !m.cased));
	}
	return out;
}

} // namespace guard::sigma
