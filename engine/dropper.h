/* SPDX-License-Identifier: GPL-2.0-or-later */
// The dropper correlation: "a file written or renamed into a watched place is
// executed within N seconds by any process". Writes into watched prefixes
// remember the path (as a hash, engine/correlation_table.h) and its time; an
// exec of a remembered path within the window matches. Under a flood of
// writes the oldest entries are forgotten first, which is the trade a
// bounded agent has to make.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/correlation_table.h"

namespace guard {

class DropperRule {
public:
	DropperRule(std::vector<std::string> watch, uint64_t window_ns, size_t sets = 1024);

	// A file now exists at path (written, created, renamed or linked there).
	void on_written(std::string_view path, uint64_t boot_ns);

	// True if path was written into a watched place within the window before boot_ns.
	bool on_exec(std::string_view path, uint64_t boot_ns) const;

	bool watched(std::string_view path) const;
	const std::vector<std::string> &watch() const { return watch_; }
	uint64_t window_ns() const { return written_.window_ns(); }
	uint64_t evicted() const { return written_.evicted(); }

private:
	std::vector<std::string> watch_;
	CorrelationTable written_;
};

} // namespace guard
