// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: a rules file. simdjson's parse into guard's tree, both
// formats (guard's own and the mini-EDR seed's), every check and the
// compiler down to the gate runs and literal filters; a file that compiles
// is listed as `guard rules check` lists it. Any input compiles or is
// refused with RulesFileError.
#include <cstdint>
#include <string_view>

#include "rules/rules_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try {
		auto loaded = guard::rules::compile_rules_text({reinterpret_cast<const char *>(data), size}, "fuzz.json");
		volatile size_t sink = guard::rules::describe_rules(*loaded.set).size();
		(void)sink;
	} catch (const guard::rules::RulesFileError &) {
	}
	return 0;
}
