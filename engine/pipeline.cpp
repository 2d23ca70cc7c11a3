#include "engine/pipeline.h"

#include <time.h>

#include "engine/json_line.h"

namespace guard {

void Pipeline::on_record(std::span<const uint8_t> bytes)
{
	stats_.records++;
	Record rec;
	DecodeError err = decode_record(bytes, rec);
	if (err != DecodeError::none) {
		stats_.decode_errors[static_cast<size_t>(err)]++;
		return;
	}
	stats_.events_by_kind[rec.header.kind]++;

	char *out = out_.reserve(line_max_bytes);
	switch (rec.header.kind) {
	case GUARD_RECORD_EXEC:
		out_.commit(format_exec(out, rec));
		break;
	default:
		break;
	}
}

namespace {

std::string_view comm_of(const struct guard_header &h)
{
	return {h.comm, strnlen(h.comm, sizeof(h.comm))};
}

// The fields every event starts with, in schema order (docs/schema.md).
void write_context(JsonLine &line, std::string_view type, const struct guard_header &h, int64_t boot_to_unix_ns)
{
	line.field_literal("type", type);
	line.field_time("time", static_cast<int64_t>(h.boot_ns) + boot_to_unix_ns);
	line.field_uint("boot_ns", h.boot_ns);
	line.field_uint("pid", h.pid);
	line.field_uint("tid", h.tid);
	line.field_uint("uid", h.uid);
	line.field_uint("gid", h.gid);
	line.field_string("comm", comm_of(h));
}

} // namespace

char *Pipeline::format_exec(char *out, const Record &rec) const
{
	JsonLine line(out);
	write_context(line, "exec", rec.header, boot_to_unix_ns_);
	line.field_string("path", rec.filename);
	return line.finish();
}

int64_t boot_to_unix_offset_ns()
{
	struct timespec real, boot;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (int64_t(real.tv_sec) - boot.tv_sec) * 1000000000 + (int64_t(real.tv_nsec) - boot.tv_nsec);
}

} // namespace guard
