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

#include "base/error.h"
#include "engine/rule_set.h"

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

// What the agent asks of a rules file beyond being valid (`guard rules
// check` asks the same, to say what the agent would do).
struct RulesFilePolicy {
	bool trusted_only = false;  // refuse a file others may write (file_trust.h)
	bool allow_no_rules = true; // false: a set with no enabled rule is refused
};

// A rules file's bytes (guard's, or a Sigma file): opened without blocking,
// a regular file only, at most 16 MiB, trusted when the policy asks.
// Throws RulesFileError ("FILE: why").
std::string read_rules_text(const std::string &path, const RulesFilePolicy &policy);

// Throws RulesFileError("name:line:col: ...").
LoadedRules compile_rules_text(std::string_view text, std::string_view name);
// Opens without blocking (a FIFO is refused, not waited on) and reads a
// regular file only. Throws RulesFileError ("FILE: why").
LoadedRules load_rules_file(const std::string &path, const RulesFilePolicy &policy = {});
LoadedRules load_default_rules();

// Control bytes in text shown as \xNN (and a backslash as \\), so a
// rules file cannot write terminal escapes into guard's messages.
std::string printable(std::string_view text);

// The embedded default rules, in guard's own format.
std::string_view default_rules_text();

// A human-readable listing of compiled rules (`guard rules check`).
std::string describe_rules(const RuleSet &set);

} // namespace guard::rules
