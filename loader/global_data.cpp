// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/global_data.h"

#include <elf.h>

#include <cstring>

#include "base/error.h"

namespace guard {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool is_rodata(std::string_view name) { return starts_with(name, ".rodata"); }

} // namespace

bool is_global_data_section(const ElfSection &sec)
{
	if ((sec.type != SHT_PROGBITS && sec.type != SHT_NOBITS) || !(sec.flags & SHF_ALLOC) ||
	    (sec.flags & SHF_EXECINSTR))
		return false;
	return is_rodata(sec.name) || starts_with(sec.name, ".data") || starts_with(sec.name, ".bss");
}

std::map<size_t, size_t> read_global_data(const ElfFile &elf, ObjectSpec &spec)
{
	std::map<size_t, size_t> by_section;
	for (const ElfSection &sec : elf.sections()) {
		if (!is_global_data_section(sec) || sec.size == 0)
			continue;
		with_context("section " + sec.name, [&] {
			if (sec.size > UINT32_MAX / 2)
				fail("too large for a map value");
			MapSpec map;
			map.name = sec.name;
			map.section = sec.name;
			map.type = BPF_MAP_TYPE_ARRAY;
			map.key_size = sizeof(uint32_t);
			map.value_size = static_cast<uint32_t>(sec.size);
			map.max_entries = 1;
			map.initial_value.assign(sec.size, 0);
			if (sec.type != SHT_NOBITS)
				std::memcpy(map.initial_value.data(), sec.data.data(), sec.data.size());
			if (is_rodata(sec.name)) {
				map.flags = BPF_F_RDONLY_PROG;
				map.freeze = true;
			}
			size_t index = spec.maps.size();
			// The DATASEC of the same name describes the value: keyless
			// arrays with a DATASEC value are what the kernel accepts for
			// global data (array_map_check_btf).
			if (spec.btf)
				if (auto datasec = spec.btf->find(sec.name, BTF_KIND_DATASEC)) {
					map.btf_value_type_id = *datasec;
					for (const struct btf_var_secinfo &v : spec.btf->datasec_vars(*datasec))
						spec.globals.push_back(
							{std::string(spec.btf->name(v.type)), index, v.offset, v.size});
				}
			spec.maps.push_back(std::move(map));
			by_section[sec.index] = index;
		});
	}
	return by_section;
}

void ObjectSpec::set_global(std::string_view name, std::span<const uint8_t> bytes)
{
	const GlobalVariable *var = find_global(name);
	if (!var)
		fail("set global " + std::string(name) + ": no such variable in the object's global data");
	if (bytes.size() != var->size)
		fail("set global " + std::string(name) + ": " + std::to_string(bytes.size()) +
		     " bytes given, the variable has " + std::to_string(var->size));
	std::vector<uint8_t> &value = maps.at(var->map).initial_value;
	if (uint64_t(var->offset) + var->size > value.size())
		fail("set global " + std::string(name) + ": lies outside its section");
	if (!bytes.empty())
		std::memcpy(value.data() + var->offset, bytes.data(), bytes.size());
}

const GlobalVariable *ObjectSpec::find_global(std::string_view name) const
{
	for (const GlobalVariable &g : globals)
		if (g.name == name)
			return &g;
	return nullptr;
}

} // namespace guard
