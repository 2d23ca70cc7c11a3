/* SPDX-License-Identifier: GPL-2.0-or-later */
// A Sigma YAML file as the rules it holds: every document, with rule
// collections applied as the specification says (`action: global` is merged
// into each later document until `action: reset`; `action: repeat` is the
// previous rule with this document merged in). Parsed with yaml-cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace guard::sigma {

// "FILE:LINE:COL" of a YAML node (1-based, as editors count), or "FILE"
// when the node has no position.
std::string where(const std::string &file, const YAML::Node &node);

// The YAML does not parse: what() is "FILE:LINE:COL: malformed YAML: ...".
struct MalformedYaml {
	std::string message;
};

// The rule documents of text, in file order. Throws MalformedYaml.
std::vector<YAML::Node> rule_documents(const std::string &text, const std::string &file);

} // namespace guard::sigma
