// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/ksyms.h"

#include "base/error.h"

namespace guard {

namespace {

uint32_t local_function(const Btf &local, const std::string &name)
{
	std::optional<uint32_t> id = local.find(name, BTF_KIND_FUNC);
	if (!id)
		fail("no FUNC " + name + " in the object's BTF");
	return *id;
}

size_t parameter_count(const Btf &btf, uint32_t func)
{
	uint32_t proto = btf.type(func).type;
	if (btf.kind(proto) != BTF_KIND_FUNC_PROTO)
		fail("FUNC " + std::string(btf.name(func)) + " has no prototype");
	return btf.params(proto).size();
}

} // namespace

std::vector<uint32_t> ksym_local_types(const Btf &local, const ProgramSpec &prog)
{
	std::vector<uint32_t> ids;
	for (const KsymReference &r : prog.ksym_refs)
		if (std::optional<uint32_t> id = local.find(r.name, BTF_KIND_FUNC))
			ids.push_back(*id);
	return ids;
}

std::vector<KsymResult> apply_ksym_references(const Btf &local, CoreContext &kernel, const ProgramSpec &prog,
					      std::vector<struct bpf_insn> &insns)
{
	std::vector<KsymResult> results;
	for (const KsymReference &ref : prog.ksym_refs) {
		KsymResult r{ref, 0};
		with_context("kfunc " + ref.name, [&] {
			uint32_t local_id = local_function(local, ref.name);
			const std::vector<uint32_t> &found = kernel.candidates().find(local, local_id);
			if (!found.empty()) {
				r.kernel_id = found.front();
				size_t want = parameter_count(kernel.kernel(), r.kernel_id);
				size_t have = parameter_count(local, local_id);
				if (have != want)
					fail("declared with " + std::to_string(have) + " parameters, the kernel's takes " +
					     std::to_string(want));
			} else if (!ref.weak) {
				fail("not in vmlinux BTF (declare it __weak and test bpf_ksym_exists() to run without it)");
			}
			if (ref.insn + (ref.kind == KsymReferenceKind::exists ? 1 : 0) >= insns.size())
				fail("instruction " + std::to_string(ref.insn) + " is past the program's end");
			struct bpf_insn &ins = insns[ref.insn];
			if (ref.kind == KsymReferenceKind::exists) {
				// bpf_ksym_exists(f): answered now, a constant the verifier
				// uses to drop the code for the other case.
				ins.src_reg = 0;
				ins.imm = r.kernel_id ? 1 : 0;
				insns[ref.insn + 1].imm = 0;
			} else if (r.kernel_id) {
				ins.src_reg = BPF_PSEUDO_KFUNC_CALL;
				ins.off = 0;
				ins.imm = int32_t(r.kernel_id);
			} else {
				ins.src_reg = 0;
				ins.off = 0;
				ins.imm = kKsymPoisonHelper;
			}
		});
		results.push_back(r);
	}
	return results;
}

} // namespace guard
