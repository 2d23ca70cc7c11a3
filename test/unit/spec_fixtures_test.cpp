// SPDX-License-Identifier: GPL-2.0-or-later
// The spec of the libbpf-style fixtures, no kernel involved: global data
// maps and their variables, map shapes from BTF, subprograms appended and
// their calls pointed at the copies, func_info/line_info moved along.
#include <doctest/doctest.h>

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "base/error.h"
#include "loader/object_spec.h"
#include "test/support/files.h"
#include "test/support/fixtures.h"

using namespace guard;

namespace {

ObjectSpec fixture(const char *name) { return read_object_spec(guard::read_file(test::fixture_path(name))); }

uint64_t u64_at(const std::vector<uint8_t> &bytes, uint32_t offset)
{
	uint64_t v;
	std::memcpy(&v, bytes.data() + offset, sizeof(v));
	return v;
}

} // namespace

TEST_CASE("globals.bpf.o: one map per global data section, variables found through BTF")
{
	ObjectSpec spec = fixture("globals.bpf.o");
	const MapSpec *rodata = spec.find_map(".rodata");
	const MapSpec *data = spec.find_map(".data");
	const MapSpec *bss = spec.find_map(".bss");
	REQUIRE(rodata);
	REQUIRE(data);
	REQUIRE(bss);
	CHECK(rodata->type == BPF_MAP_TYPE_ARRAY);
	CHECK(rodata->max_entries == 1);
	CHECK(rodata->key_size == 4);
	CHECK(rodata->flags == BPF_F_RDONLY_PROG);
	CHECK(rodata->freeze);
	CHECK_FALSE(data->freeze);
	CHECK(data->flags == 0);
	CHECK(rodata->btf_value_type_id != 0); // the DATASEC describes the value
	CHECK(spec.btf->resolve_size(rodata->btf_value_type_id) == rodata->value_size); // size fixed up

	const GlobalVariable *knob = spec.find_global("target_tgid");
	const GlobalVariable *calls = spec.find_global("calls_seen");
	const GlobalVariable *matching = spec.find_global("matching_calls");
	const GlobalVariable *last = spec.find_global("last_tgid");
	REQUIRE(knob);
	REQUIRE(calls);
	REQUIRE(matching);
	REQUIRE(last);
	CHECK(spec.maps[knob->map].name == ".rodata");
	CHECK(knob->size == 4);
	CHECK(spec.maps[calls->map].name == ".data");
	CHECK(u64_at(data->initial_value, calls->offset) == 1000);
	CHECK(spec.maps[matching->map].name == ".bss");
	CHECK(std::all_of(bss->initial_value.begin(), bss->initial_value.end(), [](uint8_t b) { return b == 0; }));
	CHECK(matching->offset != last->offset);

	// Knobs are set in the spec, before load.
	spec.set_global("target_tgid", uint32_t(4242));
	uint32_t v;
	std::memcpy(&v, spec.find_map(".rodata")->initial_value.data() + knob->offset, 4);
	CHECK(v == 4242);
	CHECK_THROWS_WITH_AS(spec.set_global("target_tgid", uint64_t(1)), doctest::Contains("the variable has 4"), Error);
	CHECK_THROWS_WITH_AS(spec.set_global("nope", uint32_t(1)), doctest::Contains("no such variable"), Error);

	// Every global reference is a map_value reference inside its section.
	const ProgramSpec &prog = spec.programs.at(0);
	size_t value_refs = 0;
	for (const MapReference &ref : prog.map_refs) {
		CHECK(ref.kind == MapReferenceKind::map_value);
		CHECK(ref.offset < spec.maps.at(ref.map).value_size);
		value_refs++;
	}
	CHECK(value_refs == 6);
	// last_tgid is referenced at its own offset; all_calls (static) through .bss + addend.
	bool saw_last = false;
	for (const MapReference &ref : prog.map_refs)
		saw_last |= ref.map == last->map && ref.offset == last->offset;
	CHECK(saw_last);
}

TEST_CASE("libbpf_style.bpf.o: map shapes from BTF")
{
	ObjectSpec spec = fixture("libbpf_style.bpf.o");
	CHECK(spec.license == "Dual BSD/GPL");
	auto map = [&](const char *name) -> const MapSpec & {
		const MapSpec *m = spec.find_map(name);
		REQUIRE_MESSAGE(m, name);
		return *m;
	};
	CHECK(map("rb").type == BPF_MAP_TYPE_RINGBUF);
	CHECK(map("rb").max_entries == 256 * 1024);
	CHECK(map("opens_by_tgid").type == BPF_MAP_TYPE_HASH);
	CHECK(map("opens_by_tgid").key_size == 4);
	CHECK(map("opens_by_tgid").value_size == 8);
	CHECK(map("opens_by_tgid").btf_key_type_id != 0);
	CHECK(map("recent").type == BPF_MAP_TYPE_LRU_HASH);
	CHECK(map("recent").value_size == 32);
	CHECK(map("stats").type == BPF_MAP_TYPE_PERCPU_ARRAY);
	CHECK(map("stats").value_size == 16);
	CHECK(map("exits_by_tgid").type == BPF_MAP_TYPE_PERCPU_HASH);
	CHECK(map("perf_events").type == BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	CHECK(map("perf_events").max_entries == 0); // filled with the CPU count at load
	CHECK(map("perf_events").btf_value_type_id == 0);
	CHECK(map("config").flags == BPF_F_MMAPABLE);
	CHECK(map(".rodata.str1.1").freeze);
	CHECK(map(".rodata").freeze);
}

TEST_CASE("hidden_function.bpf.o: a hidden global function becomes static in BTF, a plain global one stays global")
{
	ObjectSpec spec = fixture("hidden_function.bpf.o");
	REQUIRE(spec.btf);
	auto linkage_of = [&](std::string_view name) -> int {
		for (uint32_t id = 1; id <= spec.btf->type_count(); id++)
			if (spec.btf->kind(id) == BTF_KIND_FUNC && spec.btf->name(id) == name)
				return int(Btf::vlen(spec.btf->type(id)));
		return -1;
	};
	CHECK(linkage_of("store_answer") == BTF_FUNC_STATIC);
	CHECK(linkage_of("store_checked") == BTF_FUNC_GLOBAL);
	CHECK(linkage_of("call_hidden") == BTF_FUNC_GLOBAL); // a program: global, and not hidden
}

TEST_CASE("libbpf_style.bpf.o: both section spellings, subprograms appended per program")
{
	ObjectSpec spec = fixture("libbpf_style.bpf.o");
	REQUIRE(spec.programs.size() == 2);
	const ProgramSpec *openat = spec.find_program("trace_openat");
	const ProgramSpec *exit = spec.find_program("trace_exit");
	REQUIRE(openat);
	REQUIRE(exit);
	CHECK(openat->section == "tp/syscalls/sys_enter_openat");
	CHECK(openat->attach_group == "syscalls");
	CHECK(exit->section == "tracepoint/sched/sched_process_exit");
	CHECK(exit->attach_events == std::vector<std::string>{"sched_process_exit"});
	CHECK(spec.find_program("bump") == nullptr); // .text functions are not programs

	auto sorted = openat->subprograms;
	std::sort(sorted.begin(), sorted.end());
	CHECK(sorted == std::vector<std::string>{"add_index", "bump", "is_target"});
	CHECK(exit->subprograms == std::vector<std::string>{"is_target"}); // its own copy

	for (const ProgramSpec *p : {openat, exit}) {
		// One func_info per function, the first at 0; line_info sorted, from 0.
		REQUIRE(p->func_info.size() == 1 + p->subprograms.size());
		CHECK(p->func_info[0].insn_off == 0);
		REQUIRE(!p->line_info.empty());
		CHECK(p->line_info[0].insn_off == 0);
		for (size_t i = 1; i < p->line_info.size(); i++)
			CHECK(p->line_info[i - 1].insn_off <= p->line_info[i].insn_off);
		// Every bpf-to-bpf call, and every callback's address (ld_imm64
		// BPF_PSEUDO_FUNC), lands on the first instruction of a function.
		size_t calls = 0;
		for (size_t i = 0; i < p->insns.size(); i++) {
			const struct bpf_insn &ins = p->insns[i];
			bool call = ins.code == (BPF_JMP | BPF_CALL) && ins.src_reg == BPF_PSEUDO_CALL;
			bool address = ins.code == (BPF_LD | BPF_IMM | BPF_DW) && ins.src_reg == BPF_PSEUDO_FUNC;
			if (!call && !address)
				continue;
			calls++;
			int64_t target = int64_t(i) + 1 + ins.imm;
			bool starts_function = std::any_of(p->func_info.begin() + 1, p->func_info.end(),
							   [&](const bpf_func_info &f) { return f.insn_off == target; });
			CHECK_MESSAGE(starts_function, "call at " << i << " to " << target);
		}
		CHECK(calls >= p->subprograms.size());
		CHECK(p->insns.back().code == (BPF_JMP | BPF_EXIT));
	}
	// The CO-RE read in trace_openat came along with its instruction index.
	CHECK(openat->core_relos.size() >= 2);
	for (const CoreRelocation &r : openat->core_relos)
		CHECK(r.insn < openat->insns.size());
}

TEST_CASE("rejected.bpf.o: several programs in one section are told apart by symbol")
{
	ObjectSpec spec = fixture("rejected.bpf.o");
	CHECK(spec.programs.size() == 3);
	for (const ProgramSpec &p : spec.programs)
		CHECK(p.section == "tp/syscalls/sys_enter_getppid");
}

TEST_CASE("kfuncs.bpf.o: calls and bpf_ksym_exists() on extern functions, BTF the kernel takes")
{
	ObjectSpec spec = fixture("kfuncs.bpf.o");
	const ProgramSpec *prog = spec.find_program("read_task");
	REQUIRE(prog);
	REQUIRE(prog->ksym_refs.size() == 3);
	const KsymReference &cast = prog->ksym_refs[0];
	CHECK(cast.name == "bpf_rdonly_cast");
	CHECK(cast.kind == KsymReferenceKind::call);
	CHECK_FALSE(cast.weak);
	CHECK(prog->insns.at(cast.insn).src_reg == BPF_PSEUDO_KFUNC_CALL);
	CHECK(prog->ksym_refs[1].name == "guard_fixture_no_such_kfunc");
	CHECK(prog->ksym_refs[1].kind == KsymReferenceKind::exists);
	CHECK(prog->ksym_refs[1].weak);
	CHECK(prog->ksym_refs[2].kind == KsymReferenceKind::call);

	// clang's .ksyms DATASEC lists FUNCs and they have extern linkage: both
	// are fixed up in place, so no DATASEC lists anything but variables and
	// every FUNC is static or global, with named parameters.
	const Btf &btf = *spec.btf;
	CHECK_FALSE(btf.find(".ksyms", BTF_KIND_DATASEC));
	for (uint32_t id = 1; id <= btf.type_count(); id++) {
		if (btf.kind(id) == BTF_KIND_DATASEC)
			for (const btf_var_secinfo &v : btf.datasec_vars(id))
				CHECK(btf.kind(v.type) == BTF_KIND_VAR);
		if (btf.kind(id) != BTF_KIND_FUNC)
			continue;
		CHECK(Btf::vlen(btf.type(id)) <= BTF_FUNC_GLOBAL);
		for (const btf_param &p : btf.params(btf.type(id).type))
			CHECK(p.name_off != 0);
	}
}
