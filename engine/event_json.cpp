#include "engine/event_json.h"

#include <cstring>

namespace guard {

namespace {

std::string_view comm_of(const struct guard_header &h)
{
	return {h.comm, strnlen(h.comm, sizeof(h.comm))};
}

} // namespace

void write_event_context(JsonLine &line, const Record &rec, int64_t boot_to_unix_ns)
{
	const struct guard_header &h = rec.header;
	line.field_literal("type", record_kind_name(h.kind));
	line.field_time("time", static_cast<int64_t>(h.boot_ns) + boot_to_unix_ns);
	line.field_uint("boot_ns", h.boot_ns);
	line.field_uint("pid", h.pid);
	line.field_uint("tid", h.tid);
	line.field_uint("uid", h.uid);
	line.field_uint("gid", h.gid);
	line.field_string("comm", comm_of(h));
}

void write_event_fields(JsonLine &line, const Record &rec)
{
	switch (rec.header.kind) {
	case GUARD_RECORD_EXEC:
		line.field_string("path", rec.filename);
		break;
	default:
		break;
	}
}

} // namespace guard
