// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/attach_tracepoint.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "base/error.h"
#include "loader/perf_event.h"

namespace guard {

namespace {

bool has_events(const std::string &root)
{
	struct stat st;
	return ::stat((root + "/events").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool tracepoint_exists(const std::string &events_dir, const std::string &group, const std::string &event)
{
	// AT_EACCESS: as the process's own capabilities allow (access(2) alone
	// judges by the real user, without the capabilities of a non-root guard).
	return ::faccessat(AT_FDCWD, (events_dir + group + "/" + event).c_str(), F_OK, AT_EACCESS) == 0;
}

} // namespace

std::string tracefs_root()
{
	const std::string root = "/sys/kernel/tracing";
	if (has_events(root))
		return root;
	if (::mount("tracefs", root.c_str(), "tracefs", 0, nullptr) == 0 && has_events(root))
		return root;
	int err = errno;
	// Older systems expose it under debugfs.
	if (has_events("/sys/kernel/debug/tracing"))
		return "/sys/kernel/debug/tracing";
	fail(errno_message("mount tracefs at " + root, err));
}

uint32_t tracepoint_id(std::string_view group, std::string_view event)
{
	std::string path = tracefs_root() + "/events/" + std::string(group) + "/" + std::string(event) + "/id";
	std::ifstream in(path);
	if (!in)
		fail("read " + path + ": no such tracepoint on this kernel");
	uint32_t id = 0;
	if (!(in >> id))
		fail("read " + path + ": not a number");
	return id;
}

Link attach_tracepoint(int prog_fd, std::string_view group, std::string_view event)
{
	std::string target = std::string(group) + "/" + std::string(event);
	return with_context("attach " + target, [&] {
		// One perf event is enough: a tracepoint program runs on every CPU,
		// because it hangs off the tracepoint itself, not the event's CPU.
		struct perf_event_attr attr {};
		attr.type = PERF_TYPE_TRACEPOINT;
		attr.config = tracepoint_id(group, event);
		attr.sample_period = 1;
		return link_perf_event(prog_fd, open_perf_event(attr), {}, target);
	});
}

std::vector<std::string> programs_without_tracepoints(const ObjectSpec &spec, const char *who)
{
	const std::string events_dir = tracefs_root() + "/events/";
	std::vector<std::string> skipped;
	size_t tracepoint_programs = 0;
	for (const ProgramSpec &p : spec.programs) {
		if (p.attach_kind != AttachKind::tracepoint)
			continue;
		tracepoint_programs++;
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
	if (tracepoint_programs > 0 && skipped.size() == tracepoint_programs)
		fail("no tracepoint of any program under " + events_dir +
		     ": tracefs is not readable here (as a user: CAP_DAC_READ_SEARCH)");
	return skipped;
}

std::vector<Link> attach_tracepoints(int prog_fd, const ProgramSpec &prog)
{
	const std::string events_dir = tracefs_root() + "/events/";
	std::vector<Link> links;
	for (const std::string &event : prog.attach_events) {
		if (!tracepoint_exists(events_dir, prog.attach_group, event))
			continue;
		links.push_back(attach_tracepoint(prog_fd, prog.attach_group, event));
		links.back().program = prog.name;
	}
	return links;
}

} // namespace guard
