// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel feature table against guard's own BPF object, no kernel
// involved: every helper a program calls is in the table with its release,
// and the table lists nothing the object does not use, so the minimum kernel
// stated in the README and guard(8) follows kern/ as it changes.
#include <doctest/doctest.h>

#include <set>

#include "loader/kernel_support.h"
#include "loader/object_spec.h"
#include "test/support/files.h"

using namespace guard;

TEST_CASE("the kernel feature table lists exactly the helpers guard's programs call")
{
	ObjectSpec spec = read_object_spec(guard::read_file(GUARD_BPF_OBJECT));
	std::set<uint32_t> called;
	for (const ProgramSpec &p : spec.programs)
		for (const struct bpf_insn &insn : p.insns)
			if (insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == 0) // a helper, not a function or kfunc
				called.insert(static_cast<uint32_t>(insn.imm));
	std::set<uint32_t> listed;
	for (const KernelFeature &f : kernel_features())
		if (f.helper)
			listed.insert(f.helper);
	for (uint32_t id : called)
		CHECK_MESSAGE(listed.count(id), "helper #" << id << " is called but not in loader/kernel_support.cpp");
	for (uint32_t id : listed)
		CHECK_MESSAGE(called.count(id), "helper #" << id << " is listed but no program calls it");
}

TEST_CASE("the kernel feature table lists exactly the kfuncs guard's programs call")
{
	ObjectSpec spec = read_object_spec(guard::read_file(GUARD_BPF_OBJECT));
	std::set<std::string> called, listed;
	for (const ProgramSpec &p : spec.programs)
		for (const KsymReference &r : p.ksym_refs)
			called.insert(r.name);
	for (const KernelFeature &f : kernel_features())
		if (!f.kfunc.empty())
			listed.insert(std::string(f.kfunc));
	CHECK(called == listed);
}

TEST_CASE("the minimum kernel is the newest release in the table; releases compare as numbers")
{
	CHECK(minimum_kernel() == "6.2"); // bpf_rdonly_cast()
	for (const KernelFeature &f : kernel_features()) {
		CAPTURE(f.name);
		CHECK(!f.since.empty());
		CHECK(int(f.helper != 0) + int(!f.path.empty()) + int(!f.kfunc.empty()) == 1); // one kind of feature
	}
	CHECK(describe_missing({}).empty());
}
