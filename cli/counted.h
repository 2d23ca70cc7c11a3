/* SPDX-License-Identifier: GPL-2.0-or-later */
// "1 rule", "36 programs": a count and its noun, for messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace guard {

inline std::string counted(uint64_t n, std::string_view one, std::string_view many)
{
	return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

} // namespace guard
