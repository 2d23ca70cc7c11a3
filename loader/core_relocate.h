/* SPDX-License-Identifier: GPL-2.0-or-later */
// CO-RE, part two: from a matched access path to a number, and the number
// into the instruction. For each relocation of a program:
//
//  1. parse the local spec (core_spec.cpp);
//  2. find candidates in the kernel's BTF and match each; every candidate
//     that matches must give the same answer, or the relocation is
//     ambiguous and the load fails (relo_core.c: "ambiguity");
//  3. compute the local value (what clang put in the instruction, which we
//     check is really there) and the target value (what the running kernel
//     needs);
//  4. patch the instruction: ALU immediates, load/store offsets (and their
//     access size when a field's size differs), or a 64-bit immediate.
//
// A relocation that finds nothing poisons its instruction rather than
// failing the load: it becomes a call to helper 0xbad2310, which no kernel
// has, so the verifier rejects the program only if that instruction is
// reachable. "exists" relocations and type relocations evaluate to 0
// instead: that is how a program asks what this kernel has.
#pragma once

#include <linux/bpf.h>

#include <map>
#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include "loader/btf.h"
#include "loader/core_spec.h"
#include "loader/object_spec.h"

namespace guard {

// The helper id a poisoned instruction calls (the same value libbpf uses, so
// "invalid func unknown#195896080" in a verifier log means the same thing).
constexpr int32_t kCorePoisonHelper = 0xbad2310;

struct CoreResult {
	size_t index = 0;        // relocation number within the program (#n)
	CoreRelocation relo;
	std::string description; // "task_struct.real_parent"
	bool poison = false;
	std::string reason;      // why it was poisoned: "no field in vmlinux BTF"
	uint64_t local_value = 0;  // what clang compiled in
	uint64_t target_value = 0; // what this kernel needs
	uint32_t local_size = 0, target_size = 0; // field sizes (byte_off relocations)
	bool validate = true;      // check the instruction holds local_value
	bool size_mismatch = false; // a load/store whose size cannot be adjusted safely
	std::string target_path;   // the matched access in the kernel's BTF, e.g. "0:65:0"

	// "CO-RE relo #3 (task_struct.real_parent): no field in vmlinux BTF"
	std::string describe() const;
};

// The running kernel's BTF, /sys/kernel/btf/vmlinux (mapped, not copied).
Btf read_kernel_btf();

// The kernel's BTF, given or read from /sys/kernel/btf/vmlinux on first use,
// and the candidate cache over it.
class CoreContext {
public:
	explicit CoreContext(const Btf *kernel_btf = nullptr) : given_(kernel_btf) {}
	const Btf &kernel();
	CoreCandidates &candidates();

	// Answers already computed, by (local BTF, type, access, kind): each
	// program carries its own copy of shared subprograms, so the same
	// relocation comes back once per program.
	std::map<std::tuple<const Btf *, uint32_t, std::string, CoreKind>, CoreResult> resolved;

private:
	const Btf *given_;
	std::optional<Btf> owned_;
	std::optional<CoreCandidates> candidates_;
};

// Steps 1-3 for one relocation. Throws Error for a malformed relocation or
// an ambiguous one; an unresolvable one comes back with poison set.
CoreResult resolve_core_relocation(const Btf &local, CoreContext &kernel, const CoreRelocation &relo, size_t index);

// Step 4 on insns (a copy of prog.insns). Throws Error naming the
// relocation when the instruction is not what the relocation says.
void patch_core_instruction(std::vector<struct bpf_insn> &insns, const CoreResult &r);

// Every relocation of prog, resolved and patched into insns.
std::vector<CoreResult> apply_core_relocations(const Btf &local, CoreContext &kernel, const ProgramSpec &prog,
					       std::vector<struct bpf_insn> &insns);

} // namespace guard
