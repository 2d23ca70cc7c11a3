/* SPDX-License-Identifier: GPL-2.0-or-later */
// The results as markdown: the targets of issue 6 first (met or missed, by
// how much), then one table per measurement. The same text is printed and,
// when asked, written into docs/benchmarks.md between its result markers.
#pragma once

#include <string>

#include "tools/bench/harness/results.h"

namespace bench {

std::string markdown_report(const Results &r);

// Replaces what lies between "<!-- bench results begin -->" and
// "<!-- bench results end -->" in the file at path (appends both markers
// when they are missing).
void write_into_doc(const std::string &path, const std::string &report);

} // namespace bench
