/* SPDX-License-Identifier: GPL-2.0-or-later */
// Order statistics of a handful of repeated measurements: what the report
// shows is the median with the min..max range, never a mean that one noisy
// run on a shared machine could drag.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace bench {

struct Summary {
	double median = NAN, min = NAN, max = NAN;
	size_t n = 0;
};

// The value below which a fraction q of the sorted values fall (nearest rank).
inline double quantile(std::vector<double> values, double q)
{
	if (values.empty())
		return NAN;
	std::sort(values.begin(), values.end());
	size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
	return values[rank == 0 ? 0 : rank - 1];
}

inline Summary summarize(std::vector<double> values)
{
	Summary s;
	s.n = values.size();
	if (values.empty())
		return s;
	std::sort(values.begin(), values.end());
	size_t mid = values.size() / 2;
	s.median = values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
	s.min = values.front();
	s.max = values.back();
	return s;
}

} // namespace bench
