/* SPDX-License-Identifier: GPL-2.0-or-later */
// From a parsed rules file (guard's own format) to a RuleSet: every name
// resolved, every literal checked and converted, lists inlined. Throws
// RuleError pointing at the offending value.
#pragma once

#include <memory>
#include <optional>

#include "engine/rule_set.h"
#include "rules/json_tree.h"
#include "rules/rules_file.h"

namespace guard::rules {

std::unique_ptr<RuleSet> compile_rule_set(const JsonValue &root);
std::optional<OutputConfig> compile_output(const JsonValue &root);

// The top-level keys of guard's own format.
void check_top_level(const JsonValue &root);

// Parses "10.0.0.0/8", "::1", "fe80::/10" into c; false if malformed.
bool parse_cidr(std::string_view text, Cidr &c, bool allow_prefix);

// "exec, file_open": the names of the kinds in a kind_bit() mask, for
// messages and `guard rules check`.
std::string kinds_text(uint32_t kinds);

} // namespace guard::rules
