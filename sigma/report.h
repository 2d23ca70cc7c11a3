/* SPDX-License-Identifier: GPL-2.0-or-later */
// What loading Sigma rules did, file by file and rule by rule: loaded, or
// skipped with where (FILE:LINE:COL) and why, or the file malformed. Printed
// by `guard rules check --sigma` and summed up in the agent's start-up line.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace guard::sigma {

struct RuleOutcome {
	bool loaded = false;
	std::string title;
	std::string where;     // skipped: FILE:LINE:COL of the reason
	std::string reason;    // skipped: why
	std::string logsource; // "linux/process_creation", "windows/registry_set", ...
	bool other_logsource = false; // skipped for its logsource
};

struct FileReport {
	std::string path;
	std::string error; // malformed or unreadable: the message, FILE:LINE:COL first
	std::vector<RuleOutcome> rules;
};

struct Report {
	std::vector<FileReport> files;
	size_t loaded = 0;
	size_t skipped = 0;                        // of which for their logsource:
	std::map<std::string, size_t> by_logsource; // "windows/process_creation": 3
	size_t malformed = 0;                       // files

	void add(FileReport f);
};

// Per file: "FILE: N of M rules loaded", each skipped rule ("FILE:LINE:COL:
// skipped "TITLE": why"), each malformed file; then the summary.
std::string describe_report(const Report &report);

// "N Sigma rules loaded from M files, K skipped (...)".
std::string summary(const Report &report);

} // namespace guard::sigma
