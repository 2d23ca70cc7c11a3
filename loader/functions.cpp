// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/functions.h"

#include <elf.h>

#include <cstring>

#include "base/error.h"

namespace guard {

namespace {

constexpr uint8_t kLoadImm64 = BPF_LD | BPF_IMM | BPF_DW; // the two-slot ld_imm64
constexpr uint8_t kCall = BPF_JMP | BPF_CALL;
constexpr size_t kInsnSize = sizeof(struct bpf_insn);

size_t map_index(const std::vector<MapSpec> &maps, std::string_view name)
{
	for (size_t i = 0; i < maps.size(); i++)
		if (maps[i].name == name && maps[i].section.empty())
			return i;
	fail("reference to map " + std::string(name) + ", which .maps does not define");
}

// One ELF relocation entry, interpreted by the instruction it lands on and
// the section its symbol lives in (libbpf: bpf_program__record_reloc).
void record_relocation(const ElfFile &elf, const ObjectSpec &spec, const MapLookup &maps, Function &fn,
		       const ElfRelocation &rel)
{
	size_t insn = (rel.offset - fn.offset) / kInsnSize;
	const ElfSymbol &sym = elf.symbols()[rel.symbol];
	std::string where = "relocation at instruction " + std::to_string(insn) + " against " +
			    (sym.name.empty() ? "section " + std::to_string(sym.section) : sym.name);
	if ((rel.offset - fn.offset) % kInsnSize)
		fail(where + ": not at an instruction boundary");
	struct bpf_insn &ins = fn.insns[insn];
	bool ld64 = ins.code == kLoadImm64 && insn + 1 < fn.insns.size();
	if (sym.section == SHN_UNDEF && ld64 && maps.kconfig_map != SIZE_MAX) {
		// An extern __kconfig variable: an address in the .kconfig map.
		for (const KconfigExtern &k : spec.kconfig) {
			if (k.name != sym.name)
				continue;
			int64_t off = int64_t(k.offset) + int64_t(ins.imm);
			if (off < 0 || uint64_t(off) >= spec.maps.at(maps.kconfig_map).value_size)
				fail(where + ": offset " + std::to_string(off) + " outside .kconfig");
			fn.map_refs.push_back({insn, maps.kconfig_map, MapReferenceKind::map_value, uint32_t(off)});
			return;
		}
	}
	if (sym.section == SHN_UNDEF) {
		// Otherwise an extern is a kernel function declared __ksym.
		if (sym.type != STT_FUNC && sym.type != STT_NOTYPE)
			fail(where + ": an extern variable that is not __kconfig");
		bool weak = sym.bind == STB_WEAK;
		if (ins.code == kCall && ins.src_reg == BPF_PSEUDO_CALL) {
			// Marked as a kfunc call now, so that nothing takes it for a
			// bpf-to-bpf call; its BTF id is the kernel's, known at load.
			ins.src_reg = BPF_PSEUDO_KFUNC_CALL;
			ins.imm = 0;
			fn.ksym_refs.push_back({insn, sym.name, KsymReferenceKind::call, weak});
			return;
		}
		if (ld64) {
			fn.ksym_refs.push_back({insn, sym.name, KsymReferenceKind::exists, weak});
			return;
		}
		fail(where + ": an extern used other than by a call or its address");
	}
	if (sym.section >= elf.sections().size())
		fail(where + ": symbol in section " + std::to_string(sym.section) + ", which does not exist");
	const ElfSection &target = elf.sections()[sym.section];

	if (ins.code == kCall && ins.src_reg == BPF_PSEUDO_CALL) {
		if (!(target.flags & SHF_EXECINSTR))
			fail(where + ": a call into non-code section " + target.name);
		// The callee starts at the symbol plus imm + 1 instructions: imm
		// is -1 against a function symbol, the offset against a section symbol.
		int64_t off = int64_t(sym.value) + (int64_t(ins.imm) + 1) * int64_t(kInsnSize);
		if (off < 0)
			fail(where + ": call target before its section");
		fn.calls.push_back({insn, target.index, uint64_t(off), false});
		return;
	}
	if (!ld64)
		fail(where + ": not on an ld_imm64 or call instruction");
	if (target.flags & SHF_EXECINSTR) { // a function's address, for a callback
		int64_t off = int64_t(sym.value) + int64_t(ins.imm);
		if (off < 0)
			fail(where + ": function address before its section");
		fn.calls.push_back({insn, target.index, uint64_t(off), true});
		return;
	}
	if (target.index == maps.maps_section) {
		fn.map_refs.push_back({insn, map_index(spec.maps, sym.name), MapReferenceKind::map_fd, 0});
		return;
	}
	if (auto it = maps.data_section.find(target.index); it != maps.data_section.end()) {
		// The address is symbol + the addend clang left in imm.
		int64_t off = int64_t(sym.value) + int64_t(ins.imm);
		if (off < 0 || uint64_t(off) >= spec.maps[it->second].value_size)
			fail(where + ": offset " + std::to_string(off) + " outside section " + target.name);
		fn.map_refs.push_back({insn, it->second, MapReferenceKind::map_value, uint32_t(off)});
		return;
	}
	fail(where + " in section " + target.name + ": not a map, global data or function");
}

// .BTF.ext records of this function's range, offsets turned into instruction
// indices from the function's start.
template <class Record, class Fn>
void take_ext_records(const std::map<std::string, std::vector<Record>, std::less<>> &table, const Function &fn,
		      Fn &&add)
{
	auto it = table.find(fn.section_name);
	if (it == table.end())
		return;
	uint64_t end = fn.offset + fn.insns.size() * kInsnSize;
	for (const Record &r : it->second) {
		if (r.insn_off < fn.offset || r.insn_off >= end)
			continue;
		if ((r.insn_off - fn.offset) % kInsnSize)
			fail(".BTF.ext: record at byte " + std::to_string(r.insn_off) + " not on an instruction");
		add(r, (r.insn_off - fn.offset) / kInsnSize);
	}
}

} // namespace

std::vector<Function> read_functions(const ElfFile &elf, const ObjectSpec &spec, const MapLookup &maps,
				     const BtfExt *ext)
{
	std::vector<Function> out;
	for (const ElfSection &sec : elf.sections()) {
		if (sec.type != SHT_PROGBITS || !(sec.flags & SHF_EXECINSTR) || sec.data.empty())
			continue;
		auto relocations = elf.relocations_for(sec.index);
		for (const ElfSymbol &sym : elf.symbols()) {
			if (sym.section != sec.index || sym.type != STT_FUNC)
				continue;
			Function fn;
			fn.name = sym.name;
			fn.section = sec.index;
			fn.section_name = sec.name;
			fn.offset = sym.value;
			fn.global = sym.bind == STB_GLOBAL;
			with_context("function " + fn.name, [&] {
				if (sym.value % kInsnSize || sym.size % kInsnSize || sym.size == 0 ||
				    sym.value > sec.data.size() || sym.size > sec.data.size() - sym.value)
					fail("symbol does not cover whole instructions inside section " + sec.name);
				fn.insns.resize(sym.size / kInsnSize);
				std::memcpy(fn.insns.data(), sec.data.data() + sym.value, sym.size);

				for (const ElfRelocation &rel : relocations)
					if (rel.offset >= fn.offset && rel.offset < fn.offset + sym.size)
						record_relocation(elf, spec, maps, fn, rel);

				// A call inside the same section needs no ELF relocation:
				// its imm is already relative to the next instruction.
				for (size_t i = 0; i < fn.insns.size(); i++) {
					const struct bpf_insn &ins = fn.insns[i];
					if (ins.code != kCall || ins.src_reg != BPF_PSEUDO_CALL)
						continue;
					bool relocated = false;
					for (const CallSite &c : fn.calls)
						relocated |= c.insn == i;
					if (relocated)
						continue;
					int64_t off = int64_t(fn.offset) + (int64_t(i) + 1 + ins.imm) * int64_t(kInsnSize);
					if (off < 0)
						fail("call at instruction " + std::to_string(i) + " before its section");
					fn.calls.push_back({i, sec.index, uint64_t(off), false});
				}

				if (!ext)
					return;
				take_ext_records(ext->func_info, fn, [&](const bpf_func_info &r, size_t insn) {
					fn.func_info.push_back({uint32_t(insn), r.type_id});
				});
				take_ext_records(ext->line_info, fn, [&](const bpf_line_info &r, size_t insn) {
					fn.line_info.push_back({uint32_t(insn), r.file_name_off, r.line_off, r.line_col});
				});
				take_ext_records(ext->core_relos, fn, [&](const CoreReloRecord &r, size_t insn) {
					fn.core_relos.push_back({insn, r.type_id, std::string(spec.btf->string_at(r.access_str_off)),
								 core_kind_from(r.kind)});
				});
			});
			out.push_back(std::move(fn));
		}
	}
	return out;
}

} // namespace guard
