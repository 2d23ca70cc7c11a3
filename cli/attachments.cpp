// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/attachments.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "base/error.h"
#include "cli/families.h"

namespace guard {

namespace {

bool tracepoint_exists(const std::string &events_dir, const std::string &group, const std::string &event)
{
	// AT_EACCESS: as guard's own capabilities allow (access(2) alone judges
	// by the real user, without the capabilities of a non-root guard).
	return ::faccessat(AT_FDCWD, (events_dir + group + "/" + event).c_str(), F_OK, AT_EACCESS) == 0;
}

} // namespace

std::vector<std::string> programs_without_tracepoints(const ObjectSpec &spec, const char *who)
{
	const std::string events_dir = tracefs_root() + "/events/";
	std::vector<std::string> skipped;
	for (const ProgramSpec &p : spec.programs) {
		size_t present = 0;
		for (const std::string &event : p.attach_events) {
			if (tracepoint_exists(events_dir, p.attach_group, event))
				present++;
			else
				std::fprintf(stderr, "%s: no tracepoint %s/%s on this kernel, %s not attached there\n", who,
					     p.attach_group.c_str(), event.c_str(), p.name.c_str());
		}
		if (present == 0)
			skipped.push_back(p.name);
	}
	if (!spec.programs.empty() && skipped.size() == spec.programs.size())
		fail("no tracepoint of any program under " + events_dir +
		     ": tracefs is not readable here (as a user: CAP_DAC_READ_SEARCH)");
	return skipped;
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

Attachments attach_programs(const Collection &objects)
{
	const std::string events_dir = tracefs_root() + "/events/";
	Attachments a;
	std::vector<size_t> per_family(event_families().size());
	for (const Program &p : objects.programs()) {
		with_context("program " + p.spec->name, [&] {
			for (const std::string &event : p.spec->attach_events) {
				if (!tracepoint_exists(events_dir, p.spec->attach_group, event))
					continue;
				a.links.push_back(attach_tracepoint(p.fd.get(), p.spec->attach_group, event));
				for (size_t f = 0; f < event_families().size(); f++)
					per_family[f] += family_of_program(p.spec->name) == event_families()[f].name;
			}
		});
		a.programs++;
	}
	for (size_t f = 0; f < event_families().size(); f++)
		if (per_family[f])
			a.families += (a.families.empty() ? "" : ", ") + std::string(event_families()[f].name) + " " +
				      std::to_string(per_family[f]);
	return a;
}

std::string describe(const Attachments &a)
{
	return std::to_string(a.programs) + (a.programs == 1 ? " program" : " programs") + " at " +
	       std::to_string(a.links.size()) + (a.links.size() == 1 ? " tracepoint" : " tracepoints") + " (" +
	       a.families + ")";
}

} // namespace guard
