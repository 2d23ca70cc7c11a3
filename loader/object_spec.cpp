// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/object_spec.h"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "base/error.h"
#include "loader/btf_ext.h"
#include "loader/btf_fixup.h"
#include "loader/elf_file.h"
#include "loader/functions.h"
#include "loader/global_data.h"
#include "loader/kconfig.h"
#include "loader/subprograms.h"

namespace guard {

namespace {

// The section says the program type (loader/program_types.cpp). guard adds
// one thing to libbpf's tracepoint sections: several events of the group,
// comma-separated, for a program that serves them all
// ("tracepoint/syscalls/sys_exit_bind,sys_exit_listen").
bool read_program_section(std::string_view section, ProgramSpec &prog)
{
	ProgramSection parsed;
	if (!parse_program_section(section, parsed))
		return false;
	prog.type = parsed.type;
	prog.attach_kind = parsed.kind;
	prog.expected_attach_type = parsed.expected_attach_type;
	prog.needs_btf_target = parsed.needs_btf_target;
	prog.attach_target = parsed.target;
	prog.attach_binary = parsed.binary;
	if (parsed.kind != AttachKind::tracepoint)
		return true;
	std::string_view rest = parsed.target;
	size_t slash = rest.find('/');
	prog.attach_group = rest.substr(0, slash);
	std::string_view events = rest.substr(slash + 1);
	std::string_view prefix = section.substr(0, section.find('/') + 1);
	for (size_t start = 0; start <= events.size();) {
		size_t comma = std::min(events.find(',', start), events.size());
		std::string_view event = events.substr(start, comma - start);
		if (event.empty() || event.find('/') != std::string_view::npos)
			fail("section " + std::string(section) + ": expected " + std::string(prefix) +
			     "<group>/<event>[,<event>...]");
		prog.attach_events.emplace_back(event);
		start = comma + 1;
	}
	return true;
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

// __type(name, T) is `typeof(T) *name`: T is what it points to.
uint32_t map_def_type(const Btf &btf, uint32_t member_type, std::string_view field)
{
	uint32_t ptr = btf.skip_modifiers(member_type);
	if (btf.kind(ptr) != BTF_KIND_PTR)
		fail("field " + std::string(field) + ": expected __type() (a pointer)");
	return btf.type(ptr).type;
}

uint32_t type_size(const Btf &btf, uint32_t id)
{
	uint64_t size = btf.resolve_size(id);
	if (size > UINT32_MAX)
		fail("type " + std::to_string(id) + " is larger than 4 GiB");
	return static_cast<uint32_t>(size);
}

// What libbpf-style objects leave implicit. A perf event array holds one
// perf event fd per CPU, keyed by CPU number: key and value are 4 bytes and
// max_entries 0 means "one per possible CPU", filled in at load time.
// Only some map types let the kernel check key and value against BTF
// (map_check_btf); for the rest, as libbpf does, we pass none.
void apply_map_type_defaults(MapSpec &map)
{
	switch (map.type) {
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		if (map.key_size == 0)
			map.key_size = sizeof(uint32_t);
		if (map.value_size == 0)
			map.value_size = sizeof(uint32_t);
		[[fallthrough]];
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		map.btf_key_type_id = 0;
		map.btf_value_type_id = 0;
		break;
	default:
		break;
	}
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
			else if (field == "key") {
				map.btf_key_type_id = map_def_type(btf, m.type, field);
				map.key_size = type_size(btf, map.btf_key_type_id);
			} else if (field == "value") {
				map.btf_value_type_id = map_def_type(btf, m.type, field);
				map.value_size = type_size(btf, map.btf_value_type_id);
			}
			else
				fail("unknown field " + std::string(field) +
				     " (expected type, max_entries, map_flags, key, value, key_size, value_size)");
		}
		if (map.type == 0)
			fail("no map type (__uint(type, BPF_MAP_TYPE_...))");
		apply_map_type_defaults(map);
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

} // namespace

const MapSpec *ObjectSpec::find_map(std::string_view name) const
{
	for (const MapSpec &m : maps)
		if (m.name == name)
			return &m;
	return nullptr;
}

MapSpec *ObjectSpec::find_map(std::string_view name)
{
	for (MapSpec &m : maps)
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

	if (const ElfSection *sec = elf.find_section(".BTF"))
		spec.btf = with_context(".BTF", [&] {
			Btf btf = Btf::parse(sec->data);
			fixup_datasecs(btf, elf);
			fixup_extern_functions(btf);
			fixup_hidden_functions(btf, elf);
			return btf;
		});
	std::optional<BtfExt> ext;
	if (const ElfSection *sec = elf.find_section(".BTF.ext"); sec && spec.btf)
		ext = parse_btf_ext(sec->data, *spec.btf);

	spec.maps = read_maps(elf, spec.btf ? &*spec.btf : nullptr);
	MapLookup lookup;
	if (const ElfSection *maps = elf.find_section(".maps"))
		lookup.maps_section = maps->index;
	lookup.data_section = read_global_data(elf, spec);
	lookup.kconfig_map = read_kconfig_externs(elf, spec);

	std::vector<Function> functions = read_functions(elf, spec, lookup, ext ? &*ext : nullptr);
	for (const Function &fn : functions) {
		if (fn.section_name == ".text")
			continue; // subprograms: copied into the programs that call them
		ProgramSpec prog;
		prog.name = fn.name;
		prog.section = fn.section_name;
		bool known = with_context("program " + prog.name, [&] {
			if (!fn.global)
				fail("a program must be a global function (static ones are not loaded)");
			if (!read_program_section(fn.section_name, prog))
				return false;
			link_program(prog, fn, functions);
			return true;
		});
		if (known)
			spec.programs.push_back(std::move(prog));
		else
			spec.skipped_programs.push_back({prog.name, prog.section});
	}
	if (spec.programs.empty() && spec.skipped_programs.empty())
		fail("no programs (no executable section other than .text)");
	return spec;
}

} // namespace guard
