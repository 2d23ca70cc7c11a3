/* SPDX-License-Identifier: GPL-2.0-or-later */
// The prefilter's tables (kern/prefilter.bpf.h): what the kernel can check
// of the rules, so that with --alerts-only it writes no file or network
// record that no rule can match. Sound first: for each kind a rule
// watches, the rule's condition becomes a set of table entries only when
// every record it matches hits one of them; otherwise the kind passes
// whole. What the kernel checks (docs/rules.md, "What runs in the kernel"):
//   - file_open: "path" (or "any_path") equals an absolute path: the file's
//     identity, and its directory for an open that creates it; prefix, or a
//     glob, starting with an absolute directory: that directory's identity
//     (the kernel looks at the directories above the opened file); "modify":
//     only modifying opens; the directory holding an exact name is marked,
//     for a file put under the name before the engine resolves it again;
//   - net_*: "addr" cidr (LPM tries), "port" equals/in;
//   - file_* and net_*: "comm" equals/in (a set), "uid" equals/in and
//     comparisons (ranges): facts about the task, so a kind whose every
//     rule tests only them is decided for every record, those without a
//     kernel object (a failed open, a rename) too;
//   - all-of: the tests above among its children (the others are left to
//     userspace): a file or address test before comm, comm before uid;
//     any-of: only when every child is one.
// Everything else (globs not anchored at a directory, suffix, argv,
// not, correlation rules) makes its kinds pass whole.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/rule_set.h"

namespace guard {

struct PrefilterFile {
	uint32_t dev = 0; // the kernel's dev_t (major << 20 | minor)
	uint64_t ino = 0;
	uint32_t bits = 0; // GUARD_FILTER_FILE_* and GUARD_FILTER_DIR_*
};

struct PrefilterCidr {
	Cidr cidr;
	uint32_t kinds = 0; // kind_bit() of the kinds it lets through
};

struct PrefilterPort {
	uint16_t port = 0;
	uint32_t kinds = 0;
};

// A comm as the kernel keeps it (task->comm: at most 15 bytes, NUL-padded).
using PrefilterCommKey = std::array<char, 16>;

struct PrefilterComm {
	PrefilterCommKey comm{};
	uint32_t kinds = 0;
};

struct PrefilterUidRange {
	uint32_t lo = 0, hi = 0; // inclusive
	uint32_t kinds = 0;
};

struct PrefilterTable {
	uint32_t pass_all = 0; // kind_bit(): every record of the kind passes
	uint32_t table = 0;    // kind_bit(): a record passes on a table hit
	bool open_modify = false; // every modifying file_open passes
	uint32_t root_dev = 0;    // "/" when the paths were resolved (kernel dev_t)
	uint64_t root_ino = 0;
	std::vector<PrefilterFile> files; // one per identity, sorted
	std::vector<PrefilterCidr> cidrs; // a prefix's kinds include those of the prefixes around it
	std::vector<PrefilterPort> ports; // sorted
	// CLOCK_REALTIME ns before the paths were resolved, less a margin: a
	// file put under a watched name since has a ctime at or after it
	// (GUARD_FILTER_DIR_NAMES).
	uint64_t names_changed_ns = 0;
	// GUARD_FILTER_DIR_* bits some entry of files has: the kernel's walk
	// ends where none of them can apply.
	uint32_t dir_bits = 0;
	std::vector<PrefilterComm> comms; // sorted
	std::vector<PrefilterUidRange> uids; // sorted, a kind's never overlapping
	uint32_t task_only = 0; // kind_bit(): every rule on it is decided by comm or uid alone
};

// kind_bit() of the kinds the prefilter may hold back: file_* and net_*.
uint32_t prefilter_kinds();

// The tables for set, its paths resolved now (stat(2)). A path on a file
// system where stat's st_dev is not the kernel's s_dev (btrfs, overlayfs)
// makes its kinds pass whole. System calls: never per event.
PrefilterTable build_prefilter_table(const RuleSet &set);

} // namespace guard
