// SPDX-License-Identifier: GPL-2.0-or-later
// A guard built without Sigma support (make SIGMA=0, the static binary's
// default): --sigma is refused with the reason.
#include "sigma/sigma_rules.h"

namespace guard::sigma {

bool available() { return false; }

Report add_sigma_rules(const std::string &path, RuleSet &, const rules::RulesFilePolicy &)
{
	throw rules::RulesFileError(rules::printable(path) +
				    ": this guard was built without Sigma support (the static binary leaves it out: "
				    "build with make SIGMA=1)");
}

} // namespace guard::sigma
