/* SPDX-License-Identifier: GPL-2.0-or-later */
// The kill rules ("action": "kill") as the kernel checks them
// (kern/enforce.bpf.h): the identities of the files whose exec or open is
// killed, and the destination prefixes whose connect is. A kill rule may
// only test what the kernel can check, so that the kernel kills exactly
// where the rule would match:
//   - kinds: exec, file_open, net_connect;
//   - condition: "path" equals/in absolute paths (exec, file_open: the file
//     the kernel runs or opens, by identity), "addr" cidr (net_connect), or
//     an "any" of such tests.
// Everything else (globs, comm, argv, ...) stays in userspace and is
// refused on a kill rule.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/rule_set.h"

namespace guard {

struct KillFile {
	uint32_t kind; // GUARD_KILL_EXEC or GUARD_KILL_OPEN
	uint64_t dev;  // the kernel's dev_t (major << 20 | minor)
	uint64_t ino;
};

struct KillTable {
	std::vector<KillFile> files;
	std::vector<Cidr> cidrs;
	uint32_t kinds = 0; // GUARD_KILL_* of the tables with entries
};

// Why the kernel cannot check rule as a kill rule ("" when it can).
std::string kill_rule_problem(const RuleSet &set, const Rule &rule);

// The kill rules' tables, their paths resolved (stat(2), following
// symlinks as exec and open do) now; a path that does not exist has no
// entry. Rules must pass kill_rule_problem. System calls: never per event.
KillTable build_kill_table(const RuleSet &set);

// Whether the kill rule would kill guard itself: it kills the exec of the
// file /proc/self/exe is.
bool kill_rule_matches_self(const RuleSet &set, const Rule &rule);

} // namespace guard
