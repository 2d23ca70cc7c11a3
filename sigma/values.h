/* SPDX-License-Identifier: GPL-2.0-or-later */
// A Sigma field's modifiers ("CommandLine|contains|all") and what one of its
// string values becomes: the literal tests guard's engine runs (equals,
// prefix, suffix, contains, glob), case-folded unless the value must keep
// its case (cased, base64).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/rule_set.h"

namespace guard::sigma {

struct Modifiers {
	enum class Position : uint8_t { equals, contains, startswith, endswith } position = Position::equals;
	bool all = false;
	bool cased = false;
	bool windash = false;
	bool base64 = false;
	bool base64offset = false;
	bool re = false, re_i = false, re_m = false, re_s = false;
	bool cidr = false;
	bool exists = false;
	bool fieldref = false;
	std::optional<Cmp> cmp; // gt, gte, lt, lte
};

// The modifiers after the field name, or the reason they are refused
// ("unknown modifier ...", "modifier ... is not supported: ...").
std::optional<std::string> parse_modifiers(const std::vector<std::string_view> &names, Modifiers &out);

struct StringTest {
	NodeOp op;
	std::string literal; // lower case when nocase; a glob pattern for str_glob
	bool nocase;
};

// The tests one string value yields, any of which matching is the value
// matching (windash and base64offset give several).
std::vector<StringTest> string_tests(std::string_view value, const Modifiers &m);

// Standard base64 of bytes (with padding).
std::string base64(std::string_view bytes);

} // namespace guard::sigma
