// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/glob.h"

namespace guard {

namespace {

// Matches c against the class starting after '[' at p; sets end past ']'.
bool class_match(std::string_view p, size_t i, unsigned char c, size_t &end)
{
	bool negate = i < p.size() && (p[i] == '!' || p[i] == '^');
	if (negate)
		i++;
	bool found = false;
	bool first = true;
	while (i < p.size() && (p[i] != ']' || first)) {
		first = false;
		unsigned char lo = static_cast<unsigned char>(p[i]);
		if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
			unsigned char hi = static_cast<unsigned char>(p[i + 2]);
			found |= c >= lo && c <= hi;
			i += 3;
		} else {
			found |= c == lo;
			i++;
		}
	}
	end = i + 1; // past ']' (glob_valid guarantees it is there)
	return found != negate;
}

// A match must end with what follows the pattern's last '*' ('?' standing
// for any byte). Checked at the first star, it turns down most texts for
// patterns like "*/.ssh/authorized_keys" in one compare instead of a
// backtrack from every position. Only for patterns without classes or
// escapes, where the last '*' is surely a wildcard and the rest has no
// other meaning.
template <class Fold>
bool tail_may_match(std::string_view p, std::string_view t, Fold fold)
{
	size_t star = std::string_view::npos;
	for (size_t i = 0; i < p.size(); i++) {
		if (p[i] == '[' || p[i] == '\\')
			return true;
		if (p[i] == '*')
			star = i;
	}
	if (star == std::string_view::npos)
		return true;
	std::string_view tail = p.substr(star + 1);
	if (tail.size() > t.size())
		return false;
	std::string_view end = t.substr(t.size() - tail.size());
	for (size_t i = 0; i < tail.size(); i++)
		if (tail[i] != '?' && static_cast<unsigned char>(tail[i]) != fold(static_cast<unsigned char>(end[i])))
			return false;
	return true;
}

} // namespace

size_t glob_class_end(std::string_view p, size_t open)
{
	size_t j = open + 1;
	if (j < p.size() && (p[j] == '!' || p[j] == '^'))
		j++;
	if (j < p.size() && p[j] == ']')
		j++;
	while (j < p.size() && p[j] != ']')
		j++;
	return j;
}

bool glob_valid(std::string_view p)
{
	for (size_t i = 0; i < p.size(); i++) {
		if (p[i] == '\\') {
			if (++i == p.size())
				return false;
		} else if (p[i] == '[') {
			i = glob_class_end(p, i);
			if (i == p.size())
				return false;
		}
	}
	return true;
}

namespace {

template <class Fold>
bool match_folded(std::string_view p, std::string_view t, Fold fold)
{
	size_t pi = 0, ti = 0;
	size_t star_p = std::string_view::npos, star_t = 0;
	while (ti < t.size()) {
		if (pi < p.size()) {
			char pc = p[pi];
			unsigned char tc = fold(static_cast<unsigned char>(t[ti]));
			if (pc == '*') {
				// The text before the first star matched: before
				// backtracking, see whether the end can match at all.
				if (star_p == std::string_view::npos && !tail_may_match(p, t, fold))
					return false;
				star_p = pi++;
				star_t = ti;
				continue;
			}
			if (pc == '?') {
				pi++;
				ti++;
				continue;
			}
			if (pc == '[') {
				size_t end;
				if (class_match(p, pi + 1, tc, end)) {
					pi = end;
					ti++;
					continue;
				}
			} else {
				if (pc == '\\' && pi + 1 < p.size())
					pc = p[++pi];
				if (static_cast<unsigned char>(pc) == tc) {
					pi++;
					ti++;
					continue;
				}
			}
		}
		if (star_p == std::string_view::npos)
			return false;
		// Let the last '*' swallow one more byte and try again.
		pi = star_p + 1;
		ti = ++star_t;
	}
	while (pi < p.size() && p[pi] == '*')
		pi++;
	return pi == p.size();
}

struct Bytes {
	unsigned char operator()(unsigned char c) const { return c; }
};

} // namespace

bool glob_match(std::string_view p, std::string_view t) { return match_folded(p, t, Bytes{}); }

bool glob_match(std::string_view p, std::string_view t, TextFold fold) { return match_folded(p, t, fold); }

} // namespace guard
