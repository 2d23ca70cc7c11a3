/* SPDX-License-Identifier: GPL-2.0-or-later */
// guard's rules and Sigma rules in one set: what `guard --sigma PATH` runs
// and a reload re-reads.
#pragma once

#include <string>
#include <vector>

#include "rules/rules_file.h"
#include "sigma/report.h"

namespace guard::sigma {

// Adds the Sigma rules under each path to loaded (and re-indexes it); its
// source names them too. A malformed file, or a path that cannot be read,
// throws rules::RulesFileError: the agent does not start (or a reload keeps
// the old rules). Rules skipped for what guard does not support are not an
// error: the report says which and why.
Report add_sigma_paths(rules::LoadedRules &loaded, const std::vector<std::string> &paths,
		       const rules::RulesFilePolicy &policy);

} // namespace guard::sigma
