// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/attachments.h"

#include "cli/families.h"
#include "loader/attach_tracepoint.h"

namespace guard {

std::vector<std::string> programs_to_skip(const ObjectSpec &spec, const std::vector<std::string> &disabled,
					  const char *who)
{
	std::vector<std::string> names;
	for (const ProgramSpec &p : spec.programs)
		names.push_back(p.name);
	std::vector<std::string> skipped = programs_of_families(disabled, names);
	for (std::string &name : programs_without_tracepoints(spec, who))
		skipped.push_back(std::move(name));
	return skipped;
}

std::string describe(const Attachments &a)
{
	std::vector<size_t> per_family(event_families().size());
	for (const Link &l : a.links)
		for (size_t f = 0; f < event_families().size(); f++)
			per_family[f] += family_of_program(l.program) == event_families()[f].name;
	std::string families;
	for (size_t f = 0; f < event_families().size(); f++)
		if (per_family[f])
			families += (families.empty() ? "" : ", ") + std::string(event_families()[f].name) + " " +
				    std::to_string(per_family[f]);
	return std::to_string(a.programs) + (a.programs == 1 ? " program" : " programs") + " at " +
	       std::to_string(a.links.size()) + (a.links.size() == 1 ? " tracepoint" : " tracepoints") + " (" +
	       families + ")";
}

} // namespace guard
