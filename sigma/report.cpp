// SPDX-License-Identifier: GPL-2.0-or-later
#include "sigma/report.h"

#include <algorithm>

#include "rules/rules_file.h"

namespace guard::sigma {

void Report::add(FileReport f)
{
	malformed += !f.error.empty();
	for (const RuleOutcome &r : f.rules) {
		if (r.loaded) {
			loaded++;
			continue;
		}
		skipped++;
		if (r.other_logsource)
			by_logsource[r.logsource]++;
	}
	files.push_back(std::move(f));
}

std::string describe_report(const Report &report)
{
	std::string out;
	for (const FileReport &f : report.files) {
		if (!f.error.empty()) {
			out += rules::printable(f.error) + "\n";
			continue;
		}
		size_t loaded = std::count_if(f.rules.begin(), f.rules.end(), [](const RuleOutcome &r) { return r.loaded; });
		out += rules::printable(f.path) + ": " + std::to_string(loaded) + " of " + std::to_string(f.rules.size()) +
		       " rules loaded\n";
		for (const RuleOutcome &r : f.rules)
			if (!r.loaded)
				out += rules::printable(r.where + ": skipped \"" + r.title + "\": " + r.reason) + "\n";
	}
	return out + summary(report) + "\n";
}

std::string summary(const Report &report)
{
	std::string out = std::to_string(report.loaded) + " Sigma rule" + (report.loaded == 1 ? "" : "s") + " loaded from " +
			  std::to_string(report.files.size()) + " file" + (report.files.size() == 1 ? "" : "s") + ", " +
			  std::to_string(report.skipped) + " skipped";
	if (!report.by_logsource.empty()) {
		out += " (for their logsource:";
		for (const auto &[source, n] : report.by_logsource)
			out += " " + source + " " + std::to_string(n);
		out += ")";
	}
	if (report.malformed)
		out += ", " + std::to_string(report.malformed) + " file" + (report.malformed == 1 ? "" : "s") + " malformed";
	return out;
}

} // namespace guard::sigma
