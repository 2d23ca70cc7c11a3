/* SPDX-License-Identifier: GPL-2.0-or-later */
// The alert record: one line per rule match, naming the rule and carrying
// the source event's key fields and the process's ancestry, so an alert can
// be read on its own (docs/schema.md, "alert").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/event_fields.h"
#include "engine/json_writer.h"
#include "engine/rule_set.h"

namespace guard {

// Room to reserve for an alert line: the record's strings (as for its event
// line) plus the table's exe and comm for up to 10 processes and the rule's
// description (at most 1024 bytes, rules/ checks).
constexpr size_t alert_max_bytes = line_max_bytes + 65536;

// Room for an event line with what the engine appends (parent_comm,
// parent_exe, rule, severity) after the fields event_json writes.
constexpr size_t event_line_max_bytes = line_max_bytes + 8192;

// The alert fields that depend only on the rule ("rule", "severity",
// "description"), as JSON: made once when a rule set is installed, so the
// description is not escaped again for every alert.
std::string alert_rule_fields(const Rule &rule);

// The alert line for one match, written at out (alert_max_bytes of room);
// returns its end, newline included. ev.ancestors/ancestor_count: the
// ancestry to print (parent first). rule_fields: alert_rule_fields(rule).
// action: a kill rule's (alert_action), or null.
char *write_alert_line(char *out, std::string_view rule_fields, const char *action, const EventView &ev,
		       int64_t boot_to_unix_ns);

// What a kill rule's alert says happened: "killed" when the kernel killed
// the process (the record is flagged GUARD_KILLED), else "would_kill" (guard
// runs without --enforce, or the kernel's table did not hold the file: one
// that did not exist when the rules loaded). Null for other rules.
inline const char *alert_action(const Rule &rule, const struct guard_header &h)
{
	if (rule.action != RuleAction::kill)
		return nullptr;
	return (h.flags & GUARD_KILLED) ? "killed" : "would_kill";
}

} // namespace guard
