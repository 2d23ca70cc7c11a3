// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: raw .BTF and .BTF.ext. Input: a length-prefixed .BTF blob,
// then the .BTF.ext bytes. The BTF is parsed and every type walked through
// each accessor its kind has (members, arrays, enums, params, sizes); the
// .BTF.ext is parsed against it.
#include <cstdint>

#include "base/error.h"
#include "loader/btf.h"
#include "loader/btf_ext.h"
#include "test/fuzz/fuzz_input.h"

namespace {

uint64_t walk(const guard::Btf &btf)
{
	uint64_t sum = 0;
	for (uint32_t id = 1; id <= btf.type_count(); id++) {
		sum += btf.name(id).size();
		switch (btf.kind(id)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			for (const struct btf_member &m : btf.members(id))
				sum += btf.string_at(m.name_off).size() + m.type;
			break;
		case BTF_KIND_ARRAY: sum += btf.array(id).nelems; break;
		case BTF_KIND_ENUM: sum += btf.enum_values(id).size(); break;
		case BTF_KIND_ENUM64: sum += btf.enum64_values(id).size(); break;
		case BTF_KIND_FUNC_PROTO: sum += btf.params(id).size(); break;
		case BTF_KIND_DATASEC: sum += btf.datasec_vars(id).size(); break;
		case BTF_KIND_VAR: sum += btf.var(id).linkage; break;
		case BTF_KIND_INT: sum += btf.int_encoding(id); break;
		default: break;
		}
		try {
			sum += btf.resolve_size(id) + btf.skip_modifiers(id);
		} catch (const guard::Error &) {
		}
	}
	return sum;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	guard::fuzz::Input in(data, size);
	std::span<const uint8_t> raw_btf = in.piece();
	try {
		guard::Btf btf = guard::Btf::parse(raw_btf);
		volatile uint64_t sink = walk(btf);
		(void)sink;
		(void)btf.find("task_struct", BTF_KIND_STRUCT);
		guard::parse_btf_ext(in.rest(), btf);
	} catch (const guard::Error &) {
	}
	return 0;
}
