/* SPDX-License-Identifier: GPL-2.0-or-later */
// Small checks shared by the rules compiler and the file's top level:
// unknown keys (with the nearest valid one) and value types.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "rules/json_tree.h"
#include "rules/rule_error.h"
#include "rules/suggest.h"

namespace guard::rules {

inline void check_keys(const JsonValue &obj, const std::vector<std::string_view> &allowed, const char *what)
{
	for (const auto &m : obj.members)
		if (std::find(allowed.begin(), allowed.end(), std::string_view(m.key)) == allowed.end())
			reject(m.key_offset, "unknown key \"" + m.key + "\" in " + what + did_you_mean(m.key, allowed));
}

inline const JsonValue &expect(const JsonValue &v, JsonValue::Type t, const std::string &what)
{
	bool ok = v.type == t || (t == JsonValue::Type::real && v.type == JsonValue::Type::integer);
	if (!ok)
		reject(v.offset, what + ": expected " + type_name(t) + ", found " + type_name(v.type));
	return v;
}

} // namespace guard::rules
