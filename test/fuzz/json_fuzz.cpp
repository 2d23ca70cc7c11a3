// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the JSON writer with bytes from outside. Each piece of the
// input is written as a string field (escaped; with a _hex twin when it is
// not UTF-8), as a NUL-separated list, as a key with a suffix; the line must
// parse, and every string that was valid UTF-8 must read back as the same
// bytes.
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/json_writer.h"
#include "test/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static simdjson::dom::parser parser;
	guard::fuzz::Input in(data, size);
	std::vector<std::string> values;
	for (int i = 0; i < 8 && !in.empty(); i++)
		values.push_back(in.text(4096));
	// Room as the engine reserves it: a few times the input, generously.
	static std::unique_ptr<char[]> buf(new char[8 * 8 * 4096 * 8]);
	guard::JsonWriter w(buf.get());
	w.field_literal("type", "fuzz");
	for (size_t i = 0; i < values.size(); i++)
		w.field_string("s" + std::to_string(i), values[i]);
	if (!values.empty())
		w.field_string_list("list", values[0]);
	char *end = w.finish();
	std::string_view line(buf.get(), static_cast<size_t>(end - buf.get()));
	if (line.empty() || line.back() != '\n')
		std::abort();
	simdjson::dom::element doc;
	if (parser.parse(line.data(), line.size() - 1).get(doc) != simdjson::SUCCESS) {
		std::fprintf(stderr, "not JSON: %.*s\n", int(line.size()), line.data());
		std::abort();
	}
	for (size_t i = 0; i < values.size(); i++) {
		if (!simdjson::validate_utf8(values[i].data(), values[i].size()))
			continue;
		std::string_view back;
		if (doc[("s" + std::to_string(i)).c_str()].get(back) != simdjson::SUCCESS || back != values[i]) {
			std::fprintf(stderr, "string %zu did not read back\n", i);
			std::abort();
		}
	}
	return 0;
}
