/* SPDX-License-Identifier: GPL-2.0-or-later */
// Every value a condition compares with is checked against what the field
// can hold, when the rules load: a value no event can have would make its
// rule silently never match. Each check throws RuleError at the value, with
// the valid range or the nearest valid value.
//
//   names  access, family, error (errno names): one of a fixed set
//   comm   comm, parent_comm, ancestor_comm: at most 15 bytes (the kernel's)
//   ranges port 0-65535, uids and gids 32 bits, errno 0-4095, ...; 64-bit
//          ids (cgroup_id, clone_flags) take values above INT64_MAX
//   globs  well formed, no empty range ("[z-a]")
//   bytes  no NUL in any string: no field value holds one
#pragma once

#include "engine/rule_set.h"
#include "rules/json_tree.h"

namespace guard::rules {

// A string literal v tested on field f by op (str_equals, ..., str_glob).
void check_string_value(Field f, NodeOp op, const JsonValue &v);

// An integer literal v for field f: an element of "equals"/"in", or the
// bound of a comparison (lt, le, gt, ge).
void check_number_value(Field f, const JsonValue &v, bool comparison);

// Whether a glob's classes are well formed; why not otherwise.
std::string glob_problem(std::string_view pattern);

// A MITRE ATT&CK technique id: T and 4 digits, optionally a dot and 3 more
// ("T1059", "T1053.003").
bool is_attack_id(std::string_view s);

} // namespace guard::rules
