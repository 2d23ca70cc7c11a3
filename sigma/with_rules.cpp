// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/with_rules.h"

#include "sigma/sigma_rules.h"

namespace guard::sigma {

Report add_sigma_paths(rules::LoadedRules &loaded, const std::vector<std::string> &paths,
		       const rules::RulesFilePolicy &policy)
{
	Report all;
	for (const std::string &path : paths) {
		Report r = add_sigma_rules(path, *loaded.set, policy);
		for (FileReport &f : r.files) {
			if (!f.error.empty())
				throw rules::RulesFileError(rules::printable(f.error) +
							    " (guard rules check --sigma PATH lists every problem)");
			all.add(std::move(f));
		}
		loaded.source += " and Sigma " + path;
	}
	loaded.set->index_by_kind();
	return all;
}

} // namespace guard::sigma
