// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/families.h"

#include "base/error.h"
#include "loader/attach_tracepoint.h"

namespace guard {

const std::vector<EventFamily> &event_families()
{
	static const std::vector<EventFamily> families{
		{"process", "process_"},
		{"file", "file_"},
		{"network", "net_"},
		{"io_uring", "io_uring_"},
		{"privilege", "priv_"},
	};
	return families;
}

std::string event_family_names()
{
	std::string s;
	for (const EventFamily &f : event_families())
		s += (s.empty() ? "" : ", ") + std::string(f.name);
	return s;
}

std::vector<std::string> event_family_list()
{
	std::vector<std::string> names;
	for (const EventFamily &f : event_families())
		names.emplace_back(f.name);
	return names;
}

std::string_view family_of_program(std::string_view program_name)
{
	for (const EventFamily &f : event_families())
		if (program_name.starts_with(f.program_prefix))
			return f.name;
	return {};
}

std::vector<std::string> programs_of_families(const std::vector<std::string> &disabled,
					      const std::vector<std::string> &program_names)
{
	for (const std::string &name : disabled) {
		bool known = false;
		for (const EventFamily &f : event_families())
			known = known || f.name == name;
		if (!known)
			fail("--disable " + name + ": no such event family (expected one of: " + event_family_names() + ")");
	}
	std::vector<std::string> programs;
	for (const std::string &program : program_names) {
		std::string_view family = family_of_program(program);
		for (const std::string &name : disabled)
			if (family == name)
				programs.push_back(program);
	}
	return programs;
}

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
