/* SPDX-License-Identifier: GPL-2.0-or-later */
// The JSON of a source event: the task context every record carries, then
// the fields of its kind. Field names and types are the schema
// (docs/schema.md); rules name the same fields.
#pragma once

#include <cstdint>

#include "engine/json_writer.h"
#include "engine/process_table.h"
#include "engine/record.h"
#include "engine/task_context.h"

namespace guard {

// "type", "time", "boot_ns" and the task context from the header
// (task_context.h).
void write_event_context(JsonWriter &line, const Record &rec, int64_t boot_to_unix_ns, TaskContextCache &tasks);

// The kind's own fields ("path", "argv", "addr", ...).
void write_event_fields(JsonWriter &line, const Record &rec);

// "ok", and for a failure "errno" and its name as "error" ("ENOENT").
void write_result_fields(JsonWriter &line, int32_t result);

// A flag of the record's header as a boolean field, written only when set:
// most records have none, and absent reads as false.
void write_flag_field(JsonWriter &line, std::string_view key, const Record &rec, unsigned flag);

// The fields of the privilege kinds (cred_change ... memfd_create):
// engine/privilege_json.cpp. The writer goes in and comes back by value: a
// reference to it, passed out of the flattened line writers, would make
// their writer's position live in memory for every field of every event
// (20% of the engine's time per record, measured), not in a register.
JsonWriter write_privilege_fields(JsonWriter line, const Record &rec);

// "parent_comm", and "parent_exe" when known, of the parent in the process
// table; nothing when it is not there.
void write_parent_fields(JsonWriter &line, const Process *parent);

// The whole event line: context, the kind's fields, the parent's comm and
// exe when known, and the rule it matched (empty: none). Returns its end,
// newline included. One function over one writer, so the write position
// stays in a register from the first field to the last.
char *write_event_line(char *out, const Record &rec, int64_t boot_to_unix_ns, TaskContextCache &tasks,
		       const Process *parent, std::string_view rule, std::string_view severity);

} // namespace guard
