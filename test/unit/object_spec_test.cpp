// SPDX-License-Identifier: GPL-2.0-or-later
// The loader's first step, on the object the build compiles: what it finds
// must be exactly what kern/guard.bpf.c declares. No kernel involved.
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <algorithm>
#include <string>
#include <vector>
#include <cstring>

#include "abi/guard_abi.h"

#include "base/error.h"
#include "loader/object_spec.h"
#include "test/support/files.h"

using namespace guard;

TEST_CASE("guard.bpf.o: programs, maps and map references")
{
	ObjectSpec spec = read_object_spec(guard::read_file(GUARD_BPF_OBJECT));
	CHECK(spec.license == "GPL");

	// Two rings: process and network records, file records (1 MiB, 4 MiB).
	for (auto [name, size] : {std::pair{"proc_net_events", 1u << 20}, std::pair{"file_events", 1u << 22}}) {
		CAPTURE(name);
		const MapSpec *events = spec.find_map(name);
		REQUIRE(events);
		CHECK(events->type == BPF_MAP_TYPE_RINGBUF);
		CHECK(events->max_entries == size);
		CHECK(events->key_size == 0);
		CHECK(events->value_size == 0);
	}
	const MapSpec *scratch = spec.find_map("scratch");
	REQUIRE(scratch);
	CHECK(scratch->type == BPF_MAP_TYPE_PERCPU_ARRAY);
	CHECK(scratch->key_size == 4);
	CHECK(scratch->value_size == GUARD_RECORD_MAX); // the record, with room at the top to assemble paths
	CHECK(scratch->max_entries == 1);
	for (const char *name : {"proc_net_drops", "file_drops"}) { // each ring's, by kind
		CAPTURE(name);
		const MapSpec *drops = spec.find_map(name);
		REQUIRE(drops);
		CHECK(drops->type == BPF_MAP_TYPE_PERCPU_ARRAY);
		CHECK(drops->value_size == 8);
		CHECK(drops->max_entries == GUARD_RECORD_KIND_MAX);
	}
	const MapSpec *pending = spec.find_map("pending");
	REQUIRE(pending);
	CHECK(pending->type == BPF_MAP_TYPE_TASK_STORAGE);
	CHECK(pending->flags == BPF_F_NO_PREALLOC); // the kernel requires it of task storage
	CHECK(pending->key_size == 4);

	// Every program is named for its family (cli/families.cpp relies on it).
	for (const ProgramSpec &p : spec.programs) {
		CAPTURE(p.name);
		CHECK((p.name.starts_with("process_") || p.name.starts_with("file_") || p.name.starts_with("net_") ||
		       p.name.starts_with("io_uring_") || p.name.starts_with("priv_")));
		CHECK(p.type == BPF_PROG_TYPE_TRACEPOINT);
	}

	const ProgramSpec *exec = spec.find_program("process_exec");
	REQUIRE(exec);
	CHECK(exec->section == "tracepoint/sched/sched_process_exec");
	CHECK(exec->attach_group == "sched");
	CHECK(exec->attach_events == std::vector<std::string>{"sched_process_exec"});
	CHECK(exec->insns.size() > 10);
	CHECK(exec->insns.back().code == (BPF_JMP | BPF_EXIT));

	// Each map reference is on the first slot of an ld_imm64, not patched yet.
	std::vector<std::string> referenced;
	for (const MapReference &ref : exec->map_refs) {
		CHECK(exec->insns.at(ref.insn).code == (BPF_LD | BPF_IMM | BPF_DW));
		CHECK(exec->insns.at(ref.insn).src_reg == 0); // not patched yet: that is load time
		referenced.push_back(spec.maps.at(ref.map).name);
	}
	// An exec record goes to the process-and-network ring.
	for (const char *name : {"proc_net_drops", "proc_net_events", "pending", "scratch"})
		CHECK(std::find(referenced.begin(), referenced.end(), name) != referenced.end());

	// The agent's tgid for self-exclusion and the wakeup rules' knobs are
	// read-only globals the loader sets.
	CHECK(spec.find_global("guard_agent_tgid"));
	CHECK(spec.find_global("guard_proc_net_wakeup_bytes"));
	CHECK(spec.find_global("guard_file_wakeup_bytes"));
	CHECK(spec.find_global("guard_quiet_bytes"));
	CHECK(spec.find_global("guard_quiet_ns"));
	// Each ring's last wakeup and last backlog are the programs' own, in .bss.
	const GlobalVariable *wakeups = spec.find_global("guard_ring_wakeups");
	REQUIRE(wakeups);
	CHECK(spec.maps.at(wakeups->map).name == ".bss");
	CHECK(wakeups->size == GUARD_RING_COUNT * 2 * sizeof(uint64_t));
}

TEST_CASE("guard.bpf.o: one exit program serves every exit of its family")
{
	ObjectSpec spec = read_object_spec(guard::read_file(GUARD_BPF_OBJECT));
	const ProgramSpec *file_exit = spec.find_program("file_exit");
	REQUIRE(file_exit);
	CHECK(file_exit->attach_group == "syscalls");
	CHECK(file_exit->attach_events.size() == 22);
	CHECK(file_exit->attach_events.front() == "sys_exit_open");
	CHECK(file_exit->attach_events.back() == "sys_exit_mkdirat");
	// ... and each syscall it serves has an enter program (one may serve
	// two syscalls whose arguments mean the same: renameat and renameat2).
	for (const std::string &exit : file_exit->attach_events) {
		std::string enter = "sys_enter_" + exit.substr(std::string("sys_exit_").size());
		bool found = false;
		for (const ProgramSpec &p : spec.programs)
			found |= std::find(p.attach_events.begin(), p.attach_events.end(), enter) != p.attach_events.end();
		CAPTURE(enter);
		CHECK(found);
	}
	const ProgramSpec *net_exit = spec.find_program("net_exit");
	REQUIRE(net_exit);
	CHECK(net_exit->attach_events ==
	      std::vector<std::string>{"sys_exit_connect", "sys_exit_bind", "sys_exit_listen", "sys_exit_accept",
				       "sys_exit_accept4"});
}

TEST_CASE("a section's event list: each event named, none empty")
{
	std::vector<uint8_t> image = guard::read_file(GUARD_BPF_OBJECT);
	// The same object with one list spoiled in place, everywhere it is
	// written (same length): ",," is an empty event.
	std::string from = "sys_exit_bind,sys_exit_listen";
	std::string to = "sys_exit_bind,,ys_exit_listen";
	size_t spoiled = 0;
	for (auto at = image.begin(); (at = std::search(at, image.end(), from.begin(), from.end())) != image.end(); spoiled++)
		at = std::copy(to.begin(), to.end(), at);
	REQUIRE(spoiled > 0);
	CHECK_THROWS_WITH_AS(read_object_spec(image), doctest::Contains("expected tracepoint/<group>/<event>[,<event>...]"),
			     Error);
}

TEST_CASE("guard.bpf.o: kernel objects are read through bpf_rdonly_cast, a __weak kfunc")
{
	ObjectSpec spec = read_object_spec(guard::read_file(GUARD_BPF_OBJECT));
	const ProgramSpec *exit = spec.find_program("process_exit");
	REQUIRE(exit);
	size_t calls = 0, exists = 0;
	for (const KsymReference &r : exit->ksym_refs) {
		CHECK(r.name == "bpf_rdonly_cast");
		CHECK(r.weak);
		if (r.kind == KsymReferenceKind::call) {
			calls++;
			CHECK(exit->insns.at(r.insn).src_reg == BPF_PSEUDO_KFUNC_CALL); // not a bpf-to-bpf call
		} else {
			exists++;
			CHECK(exit->insns.at(r.insn).code == (BPF_LD | BPF_IMM | BPF_DW));
		}
	}
	// The task (header, exit code) and the ring (its backlog); and the
	// bpf_ksym_exists() test of current_task_readonly().
	CHECK(calls >= 2);
	CHECK(exists >= 1);
}

TEST_CASE("the same object gives the same spec")
{
	auto bytes = guard::read_file(GUARD_BPF_OBJECT);
	ObjectSpec a = read_object_spec(bytes);
	ObjectSpec b = read_object_spec(bytes);
	REQUIRE(a.programs.size() == b.programs.size());
	for (size_t i = 0; i < a.programs.size(); i++) {
		CHECK(a.programs[i].name == b.programs[i].name);
		REQUIRE(a.programs[i].insns.size() == b.programs[i].insns.size());
		CHECK(std::memcmp(a.programs[i].insns.data(), b.programs[i].insns.data(),
				  a.programs[i].insns.size() * sizeof(struct bpf_insn)) == 0);
	}
}

TEST_CASE("a truncated object is an error, never a crash")
{
	auto bytes = guard::read_file(GUARD_BPF_OBJECT);
	REQUIRE(bytes.size() > 64);
	// Every cut across the ELF header and a spread of cuts through the rest.
	for (size_t len = 0; len < bytes.size(); len += (len < 128 ? 1 : 97)) {
		std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(len));
		CHECK_THROWS_AS(read_object_spec(cut), Error);
	}
}

TEST_CASE("an object with bytes flipped is read or refused, never a crash")
{
	auto bytes = guard::read_file(GUARD_BPF_OBJECT);
	uint32_t seed = 12345;
	int refused = 0;
	for (int round = 0; round < 300; round++) {
		auto copy = bytes;
		for (int k = 0; k < 8; k++) {
			seed = seed * 1103515245 + 12345;
			copy[seed % copy.size()] ^= static_cast<uint8_t>(seed >> 16);
		}
		try {
			read_object_spec(copy);
		} catch (const Error &) {
			refused++;
		}
	}
	MESSAGE("refused " << refused << " of 300 corrupted copies");
	CHECK(refused > 0);
}

TEST_CASE("not an ELF file")
{
	std::vector<uint8_t> text{'h', 'e', 'l', 'l', 'o'};
	CHECK_THROWS_WITH_AS(read_object_spec(text), doctest::Contains("not an ELF file"), Error);
}
