// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/obj_command.h"

#include <CLI/CLI.hpp>
#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "base/error.h"
#include "base/file.h"
#include "cli/obj_attach.h"
#include "cli/obj_settings.h"
#include "loader/bpf_syscall.h"
#include "loader/collection.h"
#include "loader/core_relocate.h"
#include "loader/elf_file.h"
#include "loader/ksyms.h"
#include "loader/object_spec.h"

namespace guard {

namespace {

struct ObjOptions {
	std::string path;
	bool load = false;
	bool attach = false;
	double attach_seconds = 3;
	std::vector<std::string> set_globals; // NAME=VALUE
	std::vector<std::string> map_sizes;   // NAME:FIELD=N
};

std::string map_type_name(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH: return "hash";
	case BPF_MAP_TYPE_ARRAY: return "array";
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY: return "perf_event_array";
	case BPF_MAP_TYPE_PERCPU_HASH: return "percpu_hash";
	case BPF_MAP_TYPE_PERCPU_ARRAY: return "percpu_array";
	case BPF_MAP_TYPE_LRU_HASH: return "lru_hash";
	case BPF_MAP_TYPE_LRU_PERCPU_HASH: return "lru_percpu_hash";
	case BPF_MAP_TYPE_RINGBUF: return "ringbuf";
	default: return "type " + std::to_string(type);
	}
}

std::string section_kind(const ElfSection &sec)
{
	if (sec.type == SHT_PROGBITS && (sec.flags & SHF_EXECINSTR))
		return sec.name == ".text" ? "code (subprograms)" : "code (programs)";
	if (sec.name == ".maps")
		return "map definitions (BTF)";
	if (sec.name == "license")
		return "license";
	if (sec.name == ".BTF")
		return "types";
	if (sec.name == ".BTF.ext")
		return "func/line info, CO-RE relocations";
	if ((sec.type == SHT_PROGBITS || sec.type == SHT_NOBITS) && (sec.flags & SHF_ALLOC))
		return sec.type == SHT_NOBITS ? "global data (zeroed)" : "global data";
	if (sec.type == SHT_REL)
		return "relocations";
	return "";
}

// "calls_seen" for an address inside a global data map, else "+offset".
std::string global_at(const ObjectSpec &spec, size_t map, uint32_t offset)
{
	for (const GlobalVariable &g : spec.globals)
		if (g.map == map && offset >= g.offset && offset < g.offset + std::max<uint32_t>(g.size, 1))
			return g.name + (offset == g.offset ? "" : "+" + std::to_string(offset - g.offset));
	return "+" + std::to_string(offset);
}

void print_sections(const ElfFile &elf)
{
	std::printf("sections:\n");
	for (const ElfSection &sec : elf.sections()) {
		std::string kind = section_kind(sec);
		if (kind.empty())
			continue;
		std::printf("  [%2zu] %-40s %8llu bytes  %s\n", sec.index, sec.name.c_str(),
			    static_cast<unsigned long long>(sec.size), kind.c_str());
	}
}

void print_programs(const ObjectSpec &spec)
{
	std::printf("\nprograms:\n");
	for (const ProgramSpec &p : spec.programs) {
		std::string events;
		for (const std::string &e : p.attach_events)
			events += (events.empty() ? "" : ",") + e;
		std::string where = p.attach_kind == AttachKind::tracepoint ? p.attach_group + "/" + events
				    : p.attach_binary.empty()                   ? p.attach_target
										: p.attach_binary + ":" + p.attach_target;
		std::printf("  %s: %s %s (section %s), %zu instructions", p.name.c_str(),
			    std::string(attach_kind_name(p.attach_kind)).c_str(), where.c_str(), p.section.c_str(),
			    p.insns.size());
		if (!p.subprograms.empty()) {
			std::printf(", with subprograms");
			for (const std::string &s : p.subprograms)
				std::printf(" %s", s.c_str());
		}
		std::printf("; func_info %zu, line_info %zu\n", p.func_info.size(), p.line_info.size());
	}
	for (const SkippedProgram &p : spec.skipped_programs)
		std::printf("  %s: skipped: section %s names no program type guard knows (%s)\n", p.name.c_str(),
			    p.section.c_str(), std::string(known_section_prefixes()).c_str());
}

void print_maps(const ObjectSpec &spec)
{
	std::printf("\nmaps:\n");
	for (const MapSpec &m : spec.maps) {
		std::printf("  %-16s %-16s key %u, value %u, max_entries %u, flags 0x%x", m.name.c_str(),
			    map_type_name(m.type).c_str(), m.key_size, m.value_size, m.max_entries, m.flags);
		if (m.flags & BPF_F_RDONLY_PROG)
			std::printf(" (rdonly_prog)");
		if (m.freeze)
			std::printf(", frozen after load");
		if (m.btf_key_type_id || m.btf_value_type_id)
			std::printf(", BTF key %u value %u", m.btf_key_type_id, m.btf_value_type_id);
		std::printf("\n");
		for (size_t i = 0; i < spec.globals.size(); i++) {
			const GlobalVariable &g = spec.globals[i];
			if (&spec.maps[g.map] == &m)
				std::printf("      %-24s offset %u, %u bytes\n", g.name.c_str(), g.offset, g.size);
		}
	}
}

// The name of the function whose copy starts at insn: the program itself at
// 0, then its subprograms in the order func_info lists them.
std::string function_at(const ProgramSpec &p, size_t insn)
{
	for (size_t i = 0; i < p.func_info.size(); i++)
		if (p.func_info[i].insn_off == insn)
			return i == 0 ? p.name : i - 1 < p.subprograms.size() ? p.subprograms[i - 1] : "?";
	return "insn " + std::to_string(insn);
}

void print_relocations(const ObjectSpec &spec)
{
	std::printf("\nrelocations (instruction: what it will point at):\n");
	for (const ProgramSpec &p : spec.programs) {
		std::printf("  %s:\n", p.name.c_str());
		std::vector<std::pair<size_t, std::string>> lines;
		for (const MapReference &r : p.map_refs) {
			const MapSpec &m = spec.maps.at(r.map);
			if (r.kind == MapReferenceKind::map_fd)
				lines.push_back({r.insn, "ld_imm64  map_fd     map " + m.name});
			else
				lines.push_back({r.insn, "ld_imm64  map_value  " + m.name + " " + global_at(spec, r.map, r.offset)});
		}
		for (const KsymReference &r : p.ksym_refs)
			lines.push_back({r.insn, (r.kind == KsymReferenceKind::call ? "call      kfunc      " : "ld_imm64  exists?    ") +
							 r.name + (r.weak ? " (weak)" : "")});
		for (size_t i = 0; i < p.insns.size(); i++) {
			const struct bpf_insn &ins = p.insns[i];
			if (ins.code == (BPF_JMP | BPF_CALL) && ins.src_reg == BPF_PSEUDO_CALL) {
				size_t target = size_t(int64_t(i) + 1 + ins.imm);
				lines.push_back({i, "call      bpf-to-bpf " + function_at(p, target) + " (insn " +
							    std::to_string(target) + ")"});
			} else if (ins.code == (BPF_LD | BPF_IMM | BPF_DW) && ins.src_reg == BPF_PSEUDO_FUNC) {
				size_t target = size_t(int64_t(i) + 1 + ins.imm);
				lines.push_back({i, "ld_imm64  func       address of " + function_at(p, target) +
							    " (insn " + std::to_string(target) + ")"});
			}
		}
		std::sort(lines.begin(), lines.end());
		for (auto &[insn, text] : lines)
			std::printf("    insn %4zu  %s\n", insn, text.c_str());
	}
}

void print_kfuncs(const ObjectSpec &spec, CoreContext &kernel)
{
	std::printf("\nkernel functions (found in /sys/kernel/btf/vmlinux):\n");
	for (const ProgramSpec &p : spec.programs) {
		if (p.ksym_refs.empty())
			continue;
		std::printf("  %s:\n", p.name.c_str());
		std::vector<struct bpf_insn> insns = p.insns;
		try {
			for (const KsymResult &r : apply_ksym_references(*spec.btf, kernel, p, insns))
				std::printf("    insn %4zu  %-40s -> %s\n", r.ref.insn, r.ref.name.c_str(),
					    r.kernel_id ? ("BTF id " + std::to_string(r.kernel_id)).c_str()
							: "missing (weak: bpf_ksym_exists() is 0)");
		} catch (const Error &e) {
			std::printf("    ERROR: %s\n", e.what());
		}
	}
}

void print_core(const ObjectSpec &spec, CoreContext &kernel)
{
	std::printf("\nCO-RE relocations (resolved against /sys/kernel/btf/vmlinux):\n");
	for (const ProgramSpec &p : spec.programs) {
		if (p.core_relos.empty())
			continue;
		std::printf("  %s:\n", p.name.c_str());
		for (size_t i = 0; i < p.core_relos.size(); i++) {
			const CoreRelocation &r = p.core_relos[i];
			std::string what, outcome;
			try {
				CoreResult res = resolve_core_relocation(*spec.btf, kernel, r, i);
				what = res.description;
				if (res.poison)
					outcome = "POISONED: " + res.reason;
				else
					outcome = std::to_string(res.target_value) + " (compiled: " +
						  std::to_string(res.local_value) + ")" +
						  (res.target_path.empty() ? "" : ", kernel access " + res.target_path);
			} catch (const Error &e) {
				outcome = std::string("ERROR: ") + e.what();
			}
			std::printf("    #%-3zu insn %4zu  %-14s %-44s access %-8s -> %s\n", i, r.insn,
				    std::string(core_kind_name(r.kind)).c_str(), what.c_str(), r.access.c_str(),
				    outcome.c_str());
		}
	}
}

// True when every program loaded or this kernel cannot load it whatever
// it holds (a type it lacks): those are reported, not failures of the object.
bool load_and_report(const ObjectSpec &spec)
{
	std::printf("\nloading every program (not attached):\n");
	LoadOptions options;
	options.verifier_stats = true;
	options.keep_going = true;
	Collection objects = Collection::load(spec, options);
	bool ok = true;
	for (const ProgramFailure &f : objects.failures()) {
		std::printf("  %s: %s: %s\n", f.spec->name.c_str(), f.not_supported ? "not loaded" : "FAILED",
			    f.message.c_str());
		ok &= f.not_supported;
	}
	for (const Program &p : objects.programs()) {
		struct bpf_prog_info info = bpf_program_info(p.fd.get());
		std::printf("  %s: loaded as id %u; verified_insns %u, xlated %u insns, jited %u bytes\n",
			    p.spec->name.c_str(), info.id, info.verified_insns,
			    info.xlated_prog_len / uint32_t(sizeof(struct bpf_insn)), info.jited_prog_len);
		size_t start = 0;
		while (start < p.verifier_stats.size()) {
			size_t end = p.verifier_stats.find('\n', start);
			if (end == std::string::npos)
				end = p.verifier_stats.size();
			std::printf("      verifier: %s\n", p.verifier_stats.substr(start, end - start).c_str());
			start = end + 1;
		}
	}
	print_created_maps(objects);
	std::printf("unloaded.\n");
	return ok;
}

int run_obj(const ObjOptions &options)
{
	try {
		std::vector<uint8_t> bytes = read_file(options.path);
		ElfFile elf = with_context(options.path, [&] { return ElfFile::parse(bytes); });
		ObjectSpec spec = with_context(options.path, [&] { return read_object_spec(bytes); });
		for (const std::string &setting : options.set_globals)
			apply_global_setting(spec, setting);
		for (const std::string &setting : options.map_sizes)
			apply_map_setting(spec, setting);
		std::printf("%s: license \"%s\", %zu program%s, %zu map%s", options.path.c_str(), spec.license.c_str(),
			    spec.programs.size(), spec.programs.size() == 1 ? "" : "s", spec.maps.size(),
			    spec.maps.size() == 1 ? "" : "s");
		if (spec.btf)
			std::printf(", BTF with %u types", spec.btf->type_count());
		std::printf("\n\n");
		print_sections(elf);
		print_programs(spec);
		print_maps(spec);
		print_relocations(spec);
		bool any_core = false, any_kfunc = false;
		for (const ProgramSpec &p : spec.programs) {
			any_core |= !p.core_relos.empty();
			any_kfunc |= !p.ksym_refs.empty();
		}
		CoreContext kernel;
		if (any_core)
			print_core(spec, kernel);
		if (any_kfunc && spec.btf)
			print_kfuncs(spec, kernel);
		std::fflush(stdout);
		if (options.load && !load_and_report(spec))
			return 1;
		if (options.attach && !attach_and_report(spec, options.attach_seconds))
			return 1;
		return 0;
	} catch (const Error &e) {
		std::fflush(stdout);
		std::fprintf(stderr, "guard obj: %s\n", e.what());
		return 1;
	}
}

} // namespace

Subcommand add_obj_command(CLI::App &app)
{
	auto options = std::make_shared<ObjOptions>();
	auto *obj = app.add_subcommand("obj", "Show what the loader sees in a BPF object file: sections, programs, maps, "
					      "relocations, CO-RE relocations resolved for this kernel");
	obj->add_option("FILE", options->path, "A BPF object (clang -target bpf)")->required();
	obj->add_flag("--load", options->load,
		      "Also load every program without attaching it, print the verifier's statistics, unload");
	obj->add_flag("--attach", options->attach,
		      "Also load and attach every program that can be, for --attach-seconds (or until SIGINT or "
		      "SIGTERM), detach, and print the object's integer globals");
	obj->add_option("--attach-seconds", options->attach_seconds, "How long --attach keeps them attached")
		->check(CLI::Range(0.0, 3600.0));
	obj->add_option("--set", options->set_globals,
			"NAME=VALUE: set an integer global (a const volatile knob) before load; repeatable");
	obj->add_option("--map", options->map_sizes,
			"NAME:FIELD=N: set a map's max_entries, value_size or key_size before load; repeatable");
	return {obj, [options] { return run_obj(*options); }};
}

} // namespace guard
