/* SPDX-License-Identifier: GPL-2.0-or-later */
// Kernel functions (kfuncs) an object calls: declared `extern ... __ksym`,
// found by name in the running kernel's BTF at load time. A kfunc call is a
// call instruction with src_reg = BPF_PSEUDO_KFUNC_CALL and imm = the
// function's BTF id in vmlinux (off = 0: vmlinux, not a module's BTF); the
// verifier checks its arguments against that BTF prototype.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "loader/btf.h"
#include "loader/core_relocate.h"
#include "loader/object_spec.h"

namespace guard {

// What a call to a missing __weak kfunc becomes: a call to a helper that
// does not exist, refused by the verifier only if it can be reached.
constexpr int32_t kKsymPoisonHelper = 0xbad2311;

struct KsymResult {
	KsymReference ref;
	uint32_t kernel_id = 0; // the FUNC's id in vmlinux BTF; 0: not there
};

// The FUNCs in the object's BTF that prog's references name, for looking
// them all up in one pass (CoreCandidates::prefetch).
std::vector<uint32_t> ksym_local_types(const Btf &local, const ProgramSpec &prog);

// Resolves every ksym reference of prog and patches insns (a copy of
// prog.insns). Throws Error naming the function when a kfunc that is not
// __weak is missing, or when its prototype differs in its number of
// parameters from the kernel's.
std::vector<KsymResult> apply_ksym_references(const Btf &local, CoreContext &kernel, const ProgramSpec &prog,
					      std::vector<struct bpf_insn> &insns);

} // namespace guard
