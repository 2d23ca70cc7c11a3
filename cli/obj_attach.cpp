// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/obj_attach.h"

#include <signal.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/error.h"
#include "loader/attach.h"
#include "loader/bpf_syscall.h"
#include "loader/collection.h"
#include "loader/load_errors.h"

namespace guard {

namespace {

// Waits the given seconds, or less when SIGINT or SIGTERM comes (blocked
// before anything was attached, so an early one waits here, not lost).
void wait_attached(const sigset_t &stop, double seconds)
{
	struct timespec left {};
	left.tv_sec = static_cast<time_t>(seconds);
	left.tv_nsec = static_cast<long>((seconds - std::floor(seconds)) * 1e9);
	while (::sigtimedwait(&stop, nullptr, &left) < 0 && errno == EINTR) {
	}
}

std::string link_type_name(uint32_t type)
{
	switch (type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT: return "raw_tracepoint";
	case BPF_LINK_TYPE_TRACING: return "tracing";
	case BPF_LINK_TYPE_PERF_EVENT: return "perf_event";
	default: return "type " + std::to_string(type);
	}
}

// As the kernel says: "link id 12, perf_event, program id 40".
std::string describe_link(const Link &l)
{
	if (!l.link.valid())
		return "perf event ioctl, no BPF link on this kernel";
	struct bpf_link_info info = l.info();
	return "link id " + std::to_string(info.id) + ", " + link_type_name(info.type) + ", program id " +
	       std::to_string(info.prog_id);
}

void print_counters(const ObjectSpec &spec, const Collection &objects)
{
	std::printf("\nglobals after detaching:\n");
	for (const GlobalVariable &g : spec.globals) {
		if (g.size != 1 && g.size != 2 && g.size != 4 && g.size != 8)
			continue;
		std::vector<uint8_t> bytes = objects.read_global(spec, g.name);
		uint64_t value = 0;
		std::memcpy(&value, bytes.data(), bytes.size());
		std::printf("  %s = %llu\n", g.name.c_str(), static_cast<unsigned long long>(value));
	}
}

} // namespace

void print_created_maps(const Collection &objects)
{
	std::printf("\nmaps as the kernel created them:\n");
	for (const Map &m : objects.maps()) {
		struct bpf_map_info info = bpf_map_info_of(m.fd.get());
		std::printf("  %-16s id %u, key %u, value %u, max_entries %u\n", m.spec.name.c_str(), info.id,
			    info.key_size, info.value_size, info.max_entries);
	}
}

bool attach_and_report(const ObjectSpec &spec, double seconds)
{
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, nullptr);

	LoadOptions options;
	options.keep_going = true;
	Collection objects = Collection::load(spec, options);
	print_created_maps(objects);
	bool ok = true;
	std::printf("\nattaching:\n");
	for (const ProgramFailure &f : objects.failures()) {
		std::printf("  %s: skipped: not loaded: %s\n", f.spec->name.c_str(), f.message.c_str());
		ok &= f.not_supported;
	}
	std::vector<Link> links;
	size_t attached = 0;
	for (const Program &p : objects.programs()) {
		try {
			std::vector<Link> made = attach_program(p);
			for (Link &l : made) {
				std::printf("  %s: attached at %s (%s)\n", p.spec->name.c_str(), l.target.c_str(),
					    describe_link(l).c_str());
				links.push_back(std::move(l));
			}
			attached += !made.empty();
			if (made.empty())
				std::printf("  %s: skipped: none of its tracepoints is on this kernel\n", p.spec->name.c_str());
		} catch (const NotSupportedByKernel &e) {
			std::printf("  %s: skipped: not supported by this kernel: %s\n", p.spec->name.c_str(), e.what());
		} catch (const Error &e) {
			std::printf("  %s: skipped: %s\n", p.spec->name.c_str(), e.what());
			ok &= attached_by_its_user(p.spec->attach_kind, p.spec->attach_target);
		}
	}
	std::fflush(stdout);
	std::fprintf(stderr, "guard obj: attached %zu of %zu programs at %zu places for %g s\n", attached,
		     spec.programs.size(), links.size(), seconds);
	wait_attached(stop, seconds);
	for (Link &l : links)
		l.close();
	std::printf("detached.\n");
	print_counters(spec, objects);
	return ok;
}

} // namespace guard
