// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: raw ring records through the whole engine. The input is a
// sequence of length-prefixed records (so one input can build a process
// history: fork, exec, opens, exit); each is decoded (bounds-checked),
// normalised, matched against the built-in rules (droppers included) and
// written as JSON; every line written must parse as a JSON object.
#include <cstdint>

#include "test/fuzz/engine_sink.h"
#include "test/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static guard::fuzz::EngineSink sink;
	guard::fuzz::Input in(data, size);
	for (int i = 0; i < 64 && !in.empty(); i++)
		sink.pipeline().on_record(in.piece());
	sink.check_lines();
	return 0;
}
