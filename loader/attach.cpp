// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/attach.h"

#include "base/error.h"
#include "loader/attach_kprobe.h"
#include "loader/attach_raw_tracepoint.h"
#include "loader/attach_tracepoint.h"
#include "loader/attach_uprobe.h"

namespace guard {

namespace {

// A vector of one (an initializer list would copy the fds).
std::vector<Link> only(Link l)
{
	std::vector<Link> links;
	links.push_back(std::move(l));
	return links;
}

std::vector<Link> attach_by_kind(int fd, const ProgramSpec &p)
{
	switch (p.attach_kind) {
	case AttachKind::tracepoint:
		return attach_tracepoints(fd, p);
	case AttachKind::kprobe:
	case AttachKind::kretprobe:
		return only(attach_kprobe(fd, p.attach_target, p.attach_kind == AttachKind::kretprobe));
	case AttachKind::ksyscall:
	case AttachKind::kretsyscall:
		return only(attach_kprobe(fd, syscall_function(p.attach_target), p.attach_kind == AttachKind::kretsyscall));
	case AttachKind::uprobe:
	case AttachKind::uretprobe:
		if (p.attach_target.empty())
			fail("its section names no binary and function (SEC(\"uprobe\")): its userspace attaches it");
		return only(attach_uprobe(fd, p.attach_binary, p.attach_target, p.attach_kind == AttachKind::uretprobe));
	case AttachKind::raw_tracepoint:
		return only(attach_raw_tracepoint(fd, p.attach_target));
	case AttachKind::tp_btf:
	case AttachKind::fentry:
	case AttachKind::fexit:
	case AttachKind::lsm:
		return only(attach_btf_target(fd, p.attach_target));
	case AttachKind::usdt:
		fail("a USDT probe: libbpf's USDT support finds the probe's note (.note.stapsdt) in the binary, puts a "
		     "uprobe there and writes where each argument lives into the object's __bpf_usdt_specs map; guard's "
		     "loader does not");
	case AttachKind::perf_event:
		break;
	}
	fail("a perf_event program runs on a perf event (a sampling counter) that its user opens: it has no "
	     "place of its own to attach");
}

} // namespace

std::vector<Link> attach_program(const Program &program)
{
	const ProgramSpec &p = *program.spec;
	return with_context("program " + p.name, [&] {
		std::vector<Link> links = attach_by_kind(program.fd.get(), p);
		for (Link &l : links)
			l.program = p.name;
		return links;
	});
}

Attachments attach_programs(const Collection &objects)
{
	Attachments a;
	for (const Program &p : objects.programs()) {
		for (Link &l : attach_program(p))
			a.links.push_back(std::move(l));
		a.programs++;
	}
	return a;
}

} // namespace guard
