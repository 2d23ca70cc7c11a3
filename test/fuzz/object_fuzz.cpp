// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: a whole BPF object file. ELF headers and sections, the
// symbol table, relocations, .maps, .BTF (and its fix-ups), .BTF.ext
// (func_info, line_info, CO-RE records), global data, subprograms; then
// every CO-RE relocation resolved and patched, against the object's own BTF
// as the "kernel" (no host file involved). Any input is read or refused
// with guard::Error.
#include <cstdint>
#include <vector>

#include "base/error.h"
#include "loader/core_relocate.h"
#include "loader/object_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try {
		guard::ObjectSpec spec = guard::read_object_spec({data, size});
		if (!spec.btf)
			return 0;
		guard::CoreContext kernel(&*spec.btf);
		for (const guard::ProgramSpec &p : spec.programs) {
			std::vector<struct bpf_insn> insns = p.insns;
			if (!p.core_relos.empty())
				guard::apply_core_relocations(*spec.btf, kernel, p, insns);
		}
	} catch (const guard::Error &) {
	}
	return 0;
}
