#include "engine/pipeline.h"

#include <time.h>

#include "engine/event_json.h"
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

	JsonLine line(out_.reserve(line_max_bytes));
	write_event_context(line, rec, boot_to_unix_ns_);
	write_event_fields(line, rec);
	out_.commit(line.finish());
}

int64_t boot_to_unix_offset_ns()
{
	struct timespec real, boot;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (int64_t(real.tv_sec) - boot.tv_sec) * 1000000000 + (int64_t(real.tv_nsec) - boot.tv_nsec);
}

} // namespace guard
