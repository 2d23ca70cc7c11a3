/* SPDX-License-Identifier: GPL-2.0-or-later */
// The dropper correlation: "a file written or renamed into a watched place is
// executed within N seconds by any process". Writes into watched prefixes
// remember (hash of the path, time); an exec of a remembered path within the
// window matches.
//
// State is fixed-size: a set-associative table (sets of 4 ways, the oldest
// way replaced). Under a flood of writes the oldest entries are forgotten
// first, which is the trade a bounded agent has to make. Paths are kept as
// 64-bit hashes (FNV-1a): a false match needs a hash collision between a
// recently written path and the executed one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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
	uint64_t window_ns() const { return window_ns_; }

private:
	static constexpr size_t ways = 4;
	struct Slot {
		uint64_t hash = 0;
		uint64_t time_ns = 0; // 0: empty
	};

	std::vector<std::string> watch_;
	uint64_t window_ns_;
	size_t set_mask_;
	std::unique_ptr<Slot[]> slots_;
};

uint64_t path_hash(std::string_view s);

} // namespace guard
