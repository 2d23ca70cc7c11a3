/* SPDX-License-Identifier: GPL-2.0-or-later */
// One Sigma selection ("selection: {Image|endswith: /bash, CommandLine|contains: -c}")
// compiled for one record kind into engine nodes: a map is all of its
// fields, a list of maps any of them, a field's values any (or, with
// `all`, all) of them. Values of one field that compile to the same kind of
// test share one node, so the engine scans the field once for all of them.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "sigma/logsource.h"
#include "sigma/node_builder.h"
#include "sigma/values.h"

namespace guard::sigma {

// A rule guard cannot run as written: where (FILE:LINE:COL) and why.
struct Skipped {
	std::string where;
	std::string reason;
};

struct Alternatives;

class SelectionCompiler {
public:
	SelectionCompiler(NodeBuilder &nodes, const Category &category, const KindMapping &kind, const std::string &file)
		: nodes_(nodes), category_(category), kind_(kind), file_(file)
	{
	}

	// The selection's node. Throws Skipped.
	uint32_t compile(const YAML::Node &selection);

private:
	uint32_t map_selection(const YAML::Node &map);
	uint32_t field_entry(const YAML::Node &key, const YAML::Node &value);
	uint32_t exists_test(const FieldMeaning &meaning, bool want);
	void add_value(const std::string &name, const FieldMeaning &meaning, const Modifiers &m, const YAML::Node &v,
		       Alternatives &alt);
	void add_string(const std::string &name, Field f, const Modifiers &m, const YAML::Node &v, Alternatives &alt);
	void add_number(const std::string &name, Field f, const Modifiers &m, const YAML::Node &v, Alternatives &alt);
	void add_address(const std::string &name, const Modifiers &m, const YAML::Node &v, Alternatives &alt);
	[[noreturn]] void skip(const YAML::Node &at, const std::string &reason) const;

	NodeBuilder &nodes_;
	const Category &category_;
	const KindMapping &kind_;
	const std::string &file_;
};

} // namespace guard::sigma
