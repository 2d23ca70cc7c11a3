// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the CO-RE resolver. Input: a local BTF and a target BTF
// (each length-prefixed), then relocations (u32 type id, u32 kind, an access
// string "0:1:2" length-prefixed), each resolved against the target as the
// kernel: spec parsing, candidate search, matching, field and type
// relocation values, enum values.
#include <cstdint>

#include "base/error.h"
#include "loader/core_relocate.h"
#include "test/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	guard::fuzz::Input in(data, size);
	std::span<const uint8_t> local_raw = in.piece();
	std::span<const uint8_t> target_raw = in.piece();
	try {
		guard::Btf local = guard::Btf::parse(local_raw);
		guard::Btf target = guard::Btf::parse(target_raw);
		guard::CoreContext kernel(&target);
		for (size_t i = 0; i < 16 && !in.empty(); i++) {
			guard::CoreRelocation relo;
			relo.type_id = in.u32();
			uint32_t kind = in.u32() % 16;
			relo.access = in.text(64);
			try {
				relo.kind = guard::core_kind_from(kind); // 13-15 are refused, as when .BTF.ext is read
				guard::resolve_core_relocation(local, kernel, relo, i);
			} catch (const guard::Error &) {
			}
		}
	} catch (const guard::Error &) {
	}
	return 0;
}
