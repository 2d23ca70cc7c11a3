/* SPDX-License-Identifier: GPL-2.0-or-later */
// The mini-EDR seed's config/rules.json, read unchanged:
//
//   {"output": {"type": "file", "path": "./log/events.jsonl"},
//    "rules": {"exec_from_tmp": {"enabled", "severity", "paths"},
//              "shadow_read": {"enabled", "severity", "paths"},
//              "suspicious_connect": {"enabled", "severity", "process_names", "exclude_private_ip"}}}
//
// Each entry becomes a rule of guard's own language (same tree, offsets kept,
// so errors still point into the seed file), with the behaviour its author
// described: EXEC_FROM_TMP (exec of a path under one of "paths"),
// SHADOW_READ (file_open of one of "paths"; the event's ok/error tell an
// attempt from a success), SUSPICIOUS_CONNECT (net_connect, net_send by one of
// "process_names" to an address outside 127/8, 10/8, 172.16/12, 192.168/16,
// ::1, fe80::/10, fc00::/7 when exclude_private_ip).
#pragma once

#include "rules/json_tree.h"

namespace guard::rules {

// True when "rules" is an object: the seed's layout rather than guard's.
bool is_seed_format(const JsonValue &root);

// The same file in guard's format. Throws RuleError.
JsonValue translate_seed(const JsonValue &root);

} // namespace guard::rules
