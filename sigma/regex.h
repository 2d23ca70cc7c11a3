/* SPDX-License-Identifier: GPL-2.0-or-later */
// Sigma's `re` values as the engine's TextMatcher, over RE2: compiled once
// at load, matched in time linear in the text (RE2 has no backtracking),
// bytes as Latin-1 so any byte sequence is text.
#pragma once

#include <memory>
#include <string>

#include "engine/rule_set.h"

namespace guard::sigma {

struct RegexFlags {
	bool i = false, m = false, s = false;
};

// The compiled expression, or null with why in error.
std::unique_ptr<const TextMatcher> compile_regex(const std::string &pattern, RegexFlags flags, std::string &error);

} // namespace guard::sigma
