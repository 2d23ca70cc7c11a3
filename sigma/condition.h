/* SPDX-License-Identifier: GPL-2.0-or-later */
// A Sigma condition ("selection and not 1 of filter_*") parsed into a tree
// over selection names: and, or, not, parentheses, "1 of X", "all of X"
// (X a name, a name with wildcards, or "them"). Aggregations ("| count()")
// are refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace guard::sigma {

struct Condition {
	enum class Op : unsigned char { name, and_, or_, not_, one_of, all_of } op = Op::name;
	std::string name; // name; one_of/all_of: the pattern, or "them"
	std::vector<Condition> kids;
};

// The tree, or nullopt with why in error.
std::optional<Condition> parse_condition(std::string_view text, std::string &error);

} // namespace guard::sigma
