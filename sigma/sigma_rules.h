/* SPDX-License-Identifier: GPL-2.0-or-later */
// Sigma rules from a file or a directory (recursively: *.yml and *.yaml, in
// name order), added to a RuleSet next to guard's own rules. Each file is
// loaded, skipped rule by rule (with where and why), or malformed (YAML that
// does not parse: FILE:LINE:COL). docs/sigma.md says what is supported.
#pragma once

#include <string>

#include "engine/rule_set.h"
#include "rules/rules_file.h"
#include "sigma/report.h"

namespace guard::sigma {

// Whether this guard was built with Sigma support (make SIGMA=1; the
// static binary leaves it out unless asked: docs/sigma.md).
bool available();

// Adds the rules found at path to set (not indexed: the caller runs
// set.index_by_kind() once everything is in). Throws rules::RulesFileError
// when path cannot be read at all, or names neither a file nor a directory.
Report add_sigma_rules(const std::string &path, RuleSet &set, const rules::RulesFilePolicy &policy);

// One file's rules from its text (name: for messages): what add_sigma_rules
// does per file, for callers that hold the text (the fuzz target).
FileReport add_sigma_text(const std::string &text, const std::string &name, RuleSet &set);

} // namespace guard::sigma
