/* SPDX-License-Identifier: GPL-2.0-or-later */
// An ObjectSpec made real: every map created, every program's map references
// patched with the new map fds, every program through the verifier. Owning
// the fds is owning the kernel objects; dropping the Collection frees them.
#pragma once

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "base/fd.h"
#include "loader/core_relocate.h"
#include "loader/object_spec.h"

namespace guard {

// Where Collection::load spent its time, in milliseconds.
struct LoadTimings {
	double maps = 0;     // object BTF and maps created
	double relocate = 0; // CO-RE (with reading the kernel's BTF) and map references
	double verify = 0;   // BPF_PROG_LOAD of every program: the verifier
};

struct LoadOptions {
	// Overrides a map's max_entries by name (the ring's size, say).
	std::map<std::string, uint32_t, std::less<>> max_entries;
	// Programs to skip by name: not loaded, so not attachable.
	std::vector<std::string> skip_programs;
	// The kernel's BTF for CO-RE; null: /sys/kernel/btf/vmlinux, read when
	// a program has CO-RE relocations.
	const Btf *kernel_btf = nullptr;
	// Keep the verifier's statistics of each program (Program::verifier_stats).
	bool verifier_stats = false;
	// Programs verified at once (BPF_PROG_LOAD from several threads); 0:
	// one per CPU. The verifier is most of start-up time.
	unsigned load_threads = 0;
	// Filled in when given.
	LoadTimings *timings = nullptr;
	// A program the kernel refuses is kept in Collection::failures() and
	// the others load; without it, the first refusal is thrown.
	bool keep_going = false;
};

struct Map {
	MapSpec spec; // as created, overrides applied
	Fd fd;
};

struct Program {
	const ProgramSpec *spec; // points into the ObjectSpec given to load()
	Fd fd;
	std::vector<CoreResult> core; // how each CO-RE relocation was resolved
	std::string verifier_stats;   // with LoadOptions::verifier_stats
};

// A program that did not load (LoadOptions::keep_going).
struct ProgramFailure {
	const ProgramSpec *spec;
	std::string message;
	bool not_supported = false; // NotSupportedByKernel: this kernel cannot, whatever the program
};

class Collection {
public:
	// The spec must outlive the Collection. Throws Error naming the map or
	// program and the step ("load program handle_exec: BPF_PROG_LOAD: ...").
	static Collection load(const ObjectSpec &spec, const LoadOptions &options = {});

	const Map &map(std::string_view name) const;
	const std::vector<Map> &maps() const { return maps_; }
	const std::vector<Program> &programs() const { return programs_; }
	const std::vector<ProgramFailure> &failures() const { return failures_; }
	// The object's BTF as loaded into the kernel; invalid without .BTF.
	int btf_fd() const { return btf_.get(); }

	// The current bytes of a global variable, read from its map.
	std::vector<uint8_t> read_global(const ObjectSpec &spec, std::string_view name) const;
	template <class T>
	T read_global_as(const ObjectSpec &spec, std::string_view name) const
	{
		std::vector<uint8_t> bytes = read_global(spec, name);
		T value{};
		if (bytes.size() != sizeof(T))
			throw_size_mismatch(name, bytes.size(), sizeof(T));
		std::memcpy(&value, bytes.data(), sizeof(T));
		return value;
	}

private:
	[[noreturn]] static void throw_size_mismatch(std::string_view name, size_t have, size_t want);
	Fd btf_;
	std::vector<Map> maps_;
	std::vector<Program> programs_;
	std::vector<ProgramFailure> failures_;
};

// Points an ld_imm64 at a map: src_reg = BPF_PSEUDO_MAP_FD, imm = the fd.
// The verifier swaps the fd for the map's address when it accepts the program.
void patch_map_reference(std::vector<struct bpf_insn> &insns, size_t insn, int map_fd);
// Points an ld_imm64 into a map's value (a global variable):
// src_reg = BPF_PSEUDO_MAP_VALUE, imm = the fd, second slot's imm = offset.
void patch_map_value_reference(std::vector<struct bpf_insn> &insns, size_t insn, int map_fd, uint32_t offset);

} // namespace guard
