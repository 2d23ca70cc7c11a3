/* SPDX-License-Identifier: GPL-2.0-or-later */
// Sigma's `re` values as the engine's TextMatcher, over Hyperscan: compiled
// once at load (with its scratch space), matched in time linear in the text
// with no allocation and no lock, bytes as they are so any byte sequence is
// text (docs/sigma.md, "Matching", says why Hyperscan and not RE2).
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
