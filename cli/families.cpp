// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/families.h"

#include "base/error.h"

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

} // namespace guard
