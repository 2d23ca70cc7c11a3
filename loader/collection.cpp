#include "loader/collection.h"

#include <algorithm>

#include "loader/bpf_syscall.h"
#include "loader/error.h"

namespace guard {

void patch_map_reference(std::vector<struct bpf_insn> &insns, size_t insn, int map_fd)
{
	// ld_imm64 is two slots: the 64-bit immediate's low half is in the first
	// slot's imm, the high half in the second's. A map fd fits the low half.
	insns.at(insn).src_reg = BPF_PSEUDO_MAP_FD;
	insns.at(insn).imm = map_fd;
	insns.at(insn + 1).imm = 0;
}

Collection Collection::load(const ObjectSpec &spec, const LoadOptions &options)
{
	Collection c;
	for (const MapSpec &ms : spec.maps) {
		Map m{ms, {}};
		if (auto it = options.max_entries.find(ms.name); it != options.max_entries.end())
			m.spec.max_entries = it->second;
		m.fd = with_context("create map " + ms.name, [&] {
			return bpf_map_create({m.spec.name, m.spec.type, m.spec.key_size, m.spec.value_size,
					       m.spec.max_entries, m.spec.flags});
		});
		c.maps_.push_back(std::move(m));
	}

	for (const ProgramSpec &ps : spec.programs) {
		if (std::find(options.skip_programs.begin(), options.skip_programs.end(), ps.name) !=
		    options.skip_programs.end())
			continue;
		std::vector<struct bpf_insn> insns = ps.insns;
		for (const MapReference &ref : ps.map_refs)
			patch_map_reference(insns, ref.insn, c.maps_.at(ref.map).fd.get());
		Fd fd = with_context("load program " + ps.name, [&] {
			return bpf_prog_load({ps.name, ps.type, insns, spec.license});
		});
		c.programs_.push_back({&ps, std::move(fd)});
	}
	return c;
}

const Map &Collection::map(std::string_view name) const
{
	for (const Map &m : maps_)
		if (m.spec.name == name)
			return m;
	fail("no map named " + std::string(name));
}

} // namespace guard
