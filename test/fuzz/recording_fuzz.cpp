// Fuzz target: a recording file (guard record) as guard replay reads it:
// header, frames, a file cut short; whatever frames it yields go through
// the engine, whose every line must parse as a JSON object.
#include <cstdint>
#include <vector>

#include "engine/record_file.h"
#include "loader/error.h"
#include "test/fuzz/engine_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static guard::fuzz::EngineSink sink;
	try {
		guard::RecordFile rec = guard::RecordFile::from_bytes(std::vector<uint8_t>(data, data + size), "fuzz.rec");
		rec.for_each([&](std::span<const uint8_t> r) { sink.pipeline().on_record(r); });
	} catch (const guard::Error &) {
	}
	sink.check_lines();
	return 0;
}
