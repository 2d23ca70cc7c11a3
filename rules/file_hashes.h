/* SPDX-License-Identifier: GPL-2.0-or-later */
// The sha256 of files a rule names by content ({"sha256_of": PATHS} on
// exe_sha256), taken when the rules load. Each file is hashed once per
// identity (dev, inode, change time, size) in the process's life: reloads
// and repeated compiles cost a stat.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rules/rule_parts.h"

namespace guard::rules {

// The hex sha256 of the regular file at path (links followed), or none
// when there is no such readable file on this host.
std::optional<std::string> file_sha256(const std::string &path);

// "in": {"sha256_of": PATHS} on exe_sha256 (op), as a condition node: the
// hashes of those files on this host, taken now (a reload takes them
// again); a path with no readable file here is left out, as a list names
// files a host may not have. Returns the node's index.
uint32_t compile_sha256_of(RuleParts &parts, const JsonValue::Member &op, Field f, const JsonValue &files);

} // namespace guard::rules
