// SPDX-License-Identifier: GPL-2.0-or-later
// guard-floor: the cost of having any BPF program at all where guard has its
// programs. It reads guard's own BPF object, keeps every program's type and
// tracepoint, replaces its instructions with `r0 = 0; exit`, and loads and
// attaches the result with guard's loader. Whatever guard attaches, the floor
// attaches too, so "guard's added cost / the floor's" isolates what guard's
// programs and agent do beyond the kernel's own tracepoint dispatch.
//
//   guard-floor [--object build/kern/guard.bpf.o] [--disable FAMILY]...
//
// --disable skips a family's programs exactly as guard's --disable does, and
// a program whose tracepoint the kernel lacks is skipped as guard skips it.
// Prints "guard-floor: attached N programs (process 11, ...) in X ms (load
// Y ms, attach Z ms)" on stderr, then waits for SIGINT or SIGTERM and
// detaches by closing its fds.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/file.h"
#include "loader/attach.h"
#include "loader/collection.h"
#include "loader/families.h"
#include "loader/object_spec.h"

namespace {

// The smallest program the verifier accepts: r0 = 0; exit.
std::vector<struct bpf_insn> return_zero()
{
	struct bpf_insn mov {};
	mov.code = BPF_ALU64 | BPF_MOV | BPF_K;
	mov.dst_reg = BPF_REG_0;
	mov.imm = 0;
	struct bpf_insn exit_insn {};
	exit_insn.code = BPF_JMP | BPF_EXIT;
	return {mov, exit_insn};
}

// Guard's spec with every program emptied, less the disabled families'. The
// maps, global data and BTF go too: an empty program references none, and
// the floor should not pay for a ring.
guard::ObjectSpec floor_spec(const guard::ObjectSpec &spec, const std::vector<std::string> &disabled)
{
	// As guard skips them: tracepoints this kernel lacks (open on arm64,
	// fchmodat2 before 6.6) are skipped, not errors.
	std::vector<std::string> skipped = guard::programs_to_skip(spec, disabled, "guard-floor");

	guard::ObjectSpec floor;
	floor.license = spec.license;
	for (const guard::ProgramSpec &p : spec.programs) {
		if (std::find(skipped.begin(), skipped.end(), p.name) != skipped.end())
			continue;
		guard::ProgramSpec empty;
		empty.name = p.name;
		empty.section = p.section;
		empty.type = p.type;
		empty.attach_group = p.attach_group;
		empty.attach_events = p.attach_events;
		empty.insns = return_zero();
		floor.programs.push_back(std::move(empty));
	}
	return floor;
}

long long ms_since(std::chrono::steady_clock::time_point t)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

int main(int argc, char **argv)
{
	auto started = std::chrono::steady_clock::now();
	std::string object_path = "build/kern/guard.bpf.o";
	std::vector<std::string> disabled;
	for (int i = 1; i < argc; i++) {
		if (std::strcmp(argv[i], "--object") == 0 && i + 1 < argc) {
			object_path = argv[++i];
		} else if (std::strcmp(argv[i], "--disable") == 0 && i + 1 < argc) {
			disabled.push_back(argv[++i]);
		} else {
			std::fprintf(stderr, "usage: guard-floor [--object FILE] [--disable FAMILY]...\n");
			return 2;
		}
	}
	try {
		// Signals are blocked before anything is attached, so a stop that
		// arrives early is taken by sigwait below, after set-up, not lost.
		sigset_t stop;
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		sigprocmask(SIG_BLOCK, &stop, nullptr);

		std::vector<uint8_t> image = guard::read_file(object_path);
		guard::ObjectSpec spec = guard::with_context("read " + object_path, [&] { return guard::read_object_spec(image); });
		guard::ObjectSpec floor = floor_spec(spec, disabled);
		auto loading = std::chrono::steady_clock::now();
		guard::Collection objects = guard::Collection::load(floor);
		long long load_ms = ms_since(loading);

		auto attaching = std::chrono::steady_clock::now();
		guard::Attachments attached = guard::attach_programs(objects);
		long long attach_ms = ms_since(attaching);
		std::fprintf(stderr, "guard-floor: attached %s in %lld ms (load %lld ms, attach %lld ms)\n",
			     guard::describe(attached).c_str(), ms_since(started), load_ms, attach_ms);

		int sig = 0;
		sigwait(&stop, &sig);
		return 0;
	} catch (const guard::Error &e) {
		std::fprintf(stderr, "guard-floor: %s\n", e.what());
		return 1;
	}
}
