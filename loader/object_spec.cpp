#include "loader/object_spec.h"

#include <elf.h>

#include <cstring>

#include "loader/elf_file.h"
#include "loader/error.h"

namespace guard {

namespace {

constexpr uint8_t kLoadImm64 = BPF_LD | BPF_IMM | BPF_DW; // the two-slot ld_imm64

// Section names follow libbpf's convention, which clang users write by hand:
// "tracepoint/<group>/<event>" or its short form "tp/<group>/<event>".
bool parse_program_section(std::string_view section, ProgramSpec &prog)
{
	for (std::string_view prefix : {"tracepoint/", "tp/"}) {
		if (section.substr(0, prefix.size()) != prefix)
			continue;
		std::string_view rest = section.substr(prefix.size());
		size_t slash = rest.find('/');
		if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size())
			fail("section " + std::string(section) + ": expected " + std::string(prefix) + "<group>/<event>");
		prog.type = BPF_PROG_TYPE_TRACEPOINT;
		prog.attach_group = rest.substr(0, slash);
		prog.attach_event = rest.substr(slash + 1);
		return true;
	}
	return false;
}

// __uint(name, N) is `int (*name)[N]` in BTF: PTR -> ARRAY with nelems = N.
uint32_t map_def_uint(const Btf &btf, uint32_t member_type, std::string_view field)
{
	uint32_t ptr = btf.skip_modifiers(member_type);
	if (btf.kind(ptr) != BTF_KIND_PTR)
		fail("field " + std::string(field) + ": expected __uint() (a pointer to an array)");
	uint32_t arr = btf.skip_modifiers(btf.type(ptr).type);
	if (btf.kind(arr) != BTF_KIND_ARRAY)
		fail("field " + std::string(field) + ": expected __uint() (a pointer to an array)");
	return btf.array(arr).nelems;
}

// __type(name, T) is `typeof(T) *name`: the size of what it points to.
uint32_t map_def_type_size(const Btf &btf, uint32_t member_type, std::string_view field)
{
	uint32_t ptr = btf.skip_modifiers(member_type);
	if (btf.kind(ptr) != BTF_KIND_PTR)
		fail("field " + std::string(field) + ": expected __type() (a pointer)");
	return static_cast<uint32_t>(btf.resolve_size(btf.type(ptr).type));
}

MapSpec read_map_def(const Btf &btf, uint32_t var_id)
{
	MapSpec map;
	map.name = btf.name(var_id);
	uint32_t def = btf.skip_modifiers(btf.type(var_id).type);
	if (btf.kind(def) != BTF_KIND_STRUCT)
		fail("map " + map.name + ": its variable in .maps is not a struct");
	return with_context("map " + map.name, [&] {
		for (const struct btf_member &m : btf.members(def)) {
			std::string_view field = btf.string_at(m.name_off);
			if (field == "type")
				map.type = map_def_uint(btf, m.type, field);
			else if (field == "max_entries")
				map.max_entries = map_def_uint(btf, m.type, field);
			else if (field == "map_flags")
				map.flags = map_def_uint(btf, m.type, field);
			else if (field == "key_size")
				map.key_size = map_def_uint(btf, m.type, field);
			else if (field == "value_size")
				map.value_size = map_def_uint(btf, m.type, field);
			else if (field == "key")
				map.key_size = map_def_type_size(btf, m.type, field);
			else if (field == "value")
				map.value_size = map_def_type_size(btf, m.type, field);
			else
				fail("unknown field " + std::string(field) +
				     " (expected type, max_entries, map_flags, key, value, key_size, value_size)");
		}
		if (map.type == 0)
			fail("no map type (__uint(type, BPF_MAP_TYPE_...))");
		return map;
	});
}

std::vector<MapSpec> read_maps(const ElfFile &elf, const Btf *btf)
{
	std::vector<MapSpec> maps;
	if (!elf.find_section(".maps"))
		return maps;
	if (!btf)
		fail(".maps: map definitions need the object's BTF (compile with -g)");
	std::optional<uint32_t> sec = btf->find(".maps", BTF_KIND_DATASEC);
	if (!sec)
		fail(".maps: no DATASEC .maps in BTF");
	for (const struct btf_var_secinfo &v : btf->datasec_vars(*sec)) {
		if (btf->kind(v.type) != BTF_KIND_VAR)
			fail(".maps: DATASEC entry is not a variable");
		maps.push_back(read_map_def(*btf, v.type));
	}
	return maps;
}

size_t map_index(const std::vector<MapSpec> &maps, std::string_view name)
{
	for (size_t i = 0; i < maps.size(); i++)
		if (maps[i].name == name)
			return i;
	fail("reference to map " + std::string(name) + ", which .maps does not define");
}

void read_programs(const ElfFile &elf, const ElfSection &sec, ObjectSpec &spec)
{
	auto relocations = elf.relocations_for(sec.index);
	const size_t maps_index = elf.find_section(".maps") ? elf.find_section(".maps")->index : SIZE_MAX;

	for (const ElfSymbol &sym : elf.symbols()) {
		if (sym.section != sec.index || sym.type != STT_FUNC || sym.bind != STB_GLOBAL)
			continue;
		ProgramSpec prog;
		prog.name = sym.name;
		prog.section = sec.name;
		with_context("program " + prog.name, [&] {
			if (!parse_program_section(sec.name, prog))
				fail("section " + sec.name + ": unknown program type (expected tracepoint/ or tp/)");
			if (sym.value % sizeof(struct bpf_insn) || sym.size % sizeof(struct bpf_insn) || sym.size == 0 ||
			    sym.value > sec.data.size() || sym.size > sec.data.size() - sym.value)
				fail("symbol does not cover whole instructions inside section " + sec.name);
			prog.insns.resize(sym.size / sizeof(struct bpf_insn));
			std::memcpy(prog.insns.data(), sec.data.data() + sym.value, sym.size);

			for (const ElfRelocation &rel : relocations) {
				if (rel.offset < sym.value || rel.offset >= sym.value + sym.size)
					continue;
				size_t insn = (rel.offset - sym.value) / sizeof(struct bpf_insn);
				const ElfSymbol &target = elf.symbols()[rel.symbol];
				if (target.section != maps_index)
					fail("relocation at instruction " + std::to_string(insn) + " against " + target.name +
					     ": only map references are supported");
				if (insn + 1 >= prog.insns.size() || prog.insns[insn].code != kLoadImm64)
					fail("relocation at instruction " + std::to_string(insn) +
					     " is not on an ld_imm64 instruction");
				prog.map_refs.push_back({insn, map_index(spec.maps, target.name)});
			}
		});
		spec.programs.push_back(std::move(prog));
	}
}

} // namespace

const MapSpec *ObjectSpec::find_map(std::string_view name) const
{
	for (const MapSpec &m : maps)
		if (m.name == name)
			return &m;
	return nullptr;
}

const ProgramSpec *ObjectSpec::find_program(std::string_view name) const
{
	for (const ProgramSpec &p : programs)
		if (p.name == name)
			return &p;
	return nullptr;
}

ObjectSpec read_object_spec(std::span<const uint8_t> elf_image)
{
	ElfFile elf = ElfFile::parse(elf_image);
	ObjectSpec spec;

	const ElfSection *license = elf.find_section("license");
	if (!license || license->data.empty())
		fail("no license section (the kernel needs one: SEC(\"license\"))");
	spec.license.assign(reinterpret_cast<const char *>(license->data.data()),
			    strnlen(reinterpret_cast<const char *>(license->data.data()), license->data.size()));

	std::optional<Btf> btf;
	if (const ElfSection *sec = elf.find_section(".BTF"))
		btf = with_context(".BTF", [&] { return Btf::parse(sec->data); });

	spec.maps = read_maps(elf, btf ? &*btf : nullptr);
	for (const ElfSection &sec : elf.sections())
		if (sec.type == SHT_PROGBITS && (sec.flags & SHF_EXECINSTR) && sec.name != ".text")
			read_programs(elf, sec, spec);
	if (spec.programs.empty())
		fail("no programs (no executable section other than .text)");
	return spec;
}

} // namespace guard
