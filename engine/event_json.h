// The JSON of a source event: the task context every record carries, then
// the fields of its kind. Field names and types are the schema
// (docs/schema.md); rules name the same fields.
#pragma once

#include <cstdint>

#include "engine/json_writer.h"
#include "engine/record.h"
#include "engine/task_context.h"

namespace guard {

// "type", "time", "boot_ns" and the task context from the header
// (task_context.h).
void write_event_context(JsonWriter &line, const Record &rec, int64_t boot_to_unix_ns, TaskContextCache &tasks);

// The kind's own fields ("path", "argv", "addr", ...).
void write_event_fields(JsonWriter &line, const Record &rec);

} // namespace guard
