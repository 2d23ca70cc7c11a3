// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules/suggest.h"

#include <algorithm>

namespace guard::rules {

size_t edit_distance(std::string_view a, std::string_view b)
{
	std::vector<size_t> row(b.size() + 1);
	for (size_t j = 0; j <= b.size(); j++)
		row[j] = j;
	for (size_t i = 1; i <= a.size(); i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= b.size(); j++) {
			size_t up = row[j];
			row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
			diag = up;
		}
	}
	return row[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string_view> &candidates)
{
	std::string_view best;
	size_t best_d = SIZE_MAX;
	for (std::string_view c : candidates) {
		size_t d = edit_distance(word, c);
		if (d < best_d) {
			best_d = d;
			best = c;
		}
	}
	// Close enough: at most a third of the word wrong (and at least one edit allowed).
	if (best_d <= std::max<size_t>(2, word.size() / 3))
		return std::string(best);
	return {};
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view> &candidates)
{
	std::string n = nearest(word, candidates);
	if (!n.empty())
		return ", did you mean \"" + n + "\"?";
	std::string all = " (expected one of: ";
	for (size_t i = 0; i < candidates.size(); i++)
		all += (i ? ", " : "") + std::string(candidates[i]);
	return all + ")";
}

} // namespace guard::rules
