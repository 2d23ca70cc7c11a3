// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: a Sigma file. yaml-cpp's parse, rule collections, every
// logsource, field, modifier and condition form, Hyperscan's compile, down to the
// engine's index; the rules that load are listed as `guard rules check
// --sigma` lists them. Any input loads, skips its rules with a reason, or is
// malformed, never a crash.
#include <cstdint>
#include <string>

#include "rules/rules_file.h"
#include "sigma/sigma_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	guard::RuleSet set;
	guard::sigma::FileReport report =
		guard::sigma::add_sigma_text(std::string(reinterpret_cast<const char *>(data), size), "fuzz.yml", set);
	set.index_by_kind();
	volatile size_t sink = guard::rules::describe_rules(set).size() + report.rules.size();
	(void)sink;
	return 0;
}
