/* SPDX-License-Identifier: GPL-2.0-or-later */
// One Sigma rule document into guard rules: its logsource resolved to record
// kinds (logsource.h), its detection compiled once per kind (selection.h)
// under its condition (condition.h), one guard Rule per kind, all with the
// rule's title as id. A rule guard cannot run is skipped, with where and why.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "engine/rule_set.h"
#include "sigma/report.h"

namespace guard::sigma {

class RuleCompiler {
public:
	explicit RuleCompiler(RuleSet &set);
	RuleOutcome add(const YAML::Node &doc, const std::string &file);

private:
	void compile(const YAML::Node &doc, const std::string &file, RuleOutcome &out);
	std::string unique_id(const std::string &title);

	RuleSet &set_;
	std::set<std::string> ids_;
};

} // namespace guard::sigma
