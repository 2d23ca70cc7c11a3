// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/subprograms.h"

#include <climits>

#include "base/error.h"

namespace guard {

namespace {

const Function *function_at(const std::vector<Function> &functions, size_t section, uint64_t offset)
{
	for (const Function &f : functions)
		if (f.section == section && f.offset == offset)
			return &f;
	return nullptr;
}

// Appends fn's instructions and records at the end of prog, shifted to base.
void append(ProgramSpec &prog, const Function &fn)
{
	size_t base = prog.insns.size();
	prog.insns.insert(prog.insns.end(), fn.insns.begin(), fn.insns.end());
	for (MapReference r : fn.map_refs) {
		r.insn += base;
		prog.map_refs.push_back(r);
	}
	for (KsymReference r : fn.ksym_refs) {
		r.insn += base;
		prog.ksym_refs.push_back(std::move(r));
	}
	for (CoreRelocation r : fn.core_relos) {
		r.insn += base;
		prog.core_relos.push_back(std::move(r));
	}
	for (struct bpf_func_info r : fn.func_info) {
		r.insn_off += uint32_t(base);
		prog.func_info.push_back(r);
	}
	for (struct bpf_line_info r : fn.line_info) {
		r.insn_off += uint32_t(base);
		prog.line_info.push_back(r);
	}
}

} // namespace

void link_program(ProgramSpec &prog, const Function &entry, const std::vector<Function> &functions)
{
	prog.insns.clear();
	// Functions placed so far, with where each starts in prog.insns.
	std::vector<std::pair<const Function *, size_t>> placed{{&entry, 0}};
	append(prog, entry);

	// Breadth-first over calls: placed grows while we walk it.
	for (size_t i = 0; i < placed.size(); i++) {
		auto [caller, caller_base] = placed[i];
		for (const CallSite &call : caller->calls) {
			const Function *callee = function_at(functions, call.target_section, call.target_offset);
			if (!callee)
				fail("function " + caller->name + ": call at instruction " + std::to_string(call.insn) +
				     " lands on no function's first instruction");
			size_t callee_base = SIZE_MAX;
			for (auto &[f, base] : placed)
				if (f == callee)
					callee_base = base;
			if (callee_base == SIZE_MAX) {
				callee_base = prog.insns.size();
				placed.push_back({callee, callee_base});
				prog.subprograms.push_back(callee->name);
				append(prog, *callee);
			}
			size_t at = caller_base + call.insn;
			int64_t distance = int64_t(callee_base) - int64_t(at) - 1;
			if (distance < INT32_MIN || distance > INT32_MAX)
				fail("function " + caller->name + ": call distance out of range");
			struct bpf_insn &ins = prog.insns[at];
			ins.imm = int32_t(distance);
			if (call.function_pointer) {
				ins.src_reg = BPF_PSEUDO_FUNC;
				prog.insns[at + 1].imm = 0;
			}
		}
	}
}

} // namespace guard
