// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: a recording file (guard record) as guard replay reads it:
// header, frames, a file cut short; the first 128 records it yields go
// through the engine, whose every line must parse as a JSON object.
#include <cstdint>
#include <vector>

#include "base/error.h"
#include "engine/record_file.h"
#include "test/fuzz/engine_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static guard::fuzz::EngineSink sink;
	try {
		guard::RecordFile rec = guard::RecordFile::from_bytes(std::vector<uint8_t>(data, data + size), "fuzz.rec");
		// The reader sees the whole file; the engine the first records
		// (the record target drives it harder).
		size_t n = 0;
		rec.for_each([&](std::span<const uint8_t> r) {
			if (n++ < 128)
				sink.pipeline().on_record(r);
		});
	} catch (const guard::Error &) {
	}
	sink.check_lines();
	return 0;
}
