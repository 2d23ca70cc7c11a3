/* SPDX-License-Identifier: GPL-2.0-or-later */
// Loading a rules file: read, parse (simdjson), validate, compile into the
// engine's RuleSet. Every problem is a guard::Error reading
// "FILE:LINE:COL: what was expected", and nothing half-built escapes.
//
// Two formats are accepted (docs/rules.md): guard's own ("rules" is an array
// of rule objects, with "lists" of named values) and the mini-EDR seed's
// config/rules.json ("rules" is an object keyed exec_from_tmp, shadow_read,
// suspicious_connect), which is translated into the same rules.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/rule_set.h"
#include "loader/error.h"

namespace guard::rules {

// A rules file that does not parse or validate (exit code 2 at the command
// line); what() is "FILE:LINE:COL: what was expected".
class RulesFileError : public Error {
public:
	using Error::Error;
};

// The file's "output" section, when it has one.
struct OutputConfig {
	bool to_file = false; // false: stdout
	std::string path;
};

struct LoadedRules {
	std::unique_ptr<RuleSet> set;
	std::optional<OutputConfig> output;
	std::string source; // file name, or "<default rules>"
};

// Throws RulesFileError("name:line:col: ...") (or guard::Error when the file cannot be read).
LoadedRules compile_rules_text(std::string_view text, std::string_view name);
LoadedRules load_rules_file(const std::string &path);
LoadedRules load_default_rules();

// The embedded default rules, in guard's own format.
std::string_view default_rules_text();

// A human-readable listing of compiled rules (`guard rules check`).
std::string describe_rules(const RuleSet &set);

} // namespace guard::rules
