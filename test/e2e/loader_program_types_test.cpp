// SPDX-License-Identifier: GPL-2.0-or-later
// Every program type the loader knows, loaded and attached for real with
// `guard obj` on test/fixtures/program_types.bpf.o: each program counts its
// runs in a global, which guard obj prints after detaching. What this
// kernel cannot do (no kprobe PMU; fentry, fexit and lsm refused under
// lockdown) must be reported as such, never a crash nor a failed object.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "test/support/command.h"
#include "test/support/e2e_support.h"
#include "test/support/fixtures.h"

using namespace guard;

namespace {

// The number after "  NAME = " in guard obj's globals, or -1.
long long global_value(const std::string &out, const std::string &name)
{
	std::string key = "\n  " + name + " = ";
	size_t at = out.find(key);
	return at == std::string::npos ? -1 : std::atoll(out.c_str() + at + key.size());
}

// "attached at" or a "skipped: not supported by this kernel" line for the
// program under "attaching:": which, or "" when neither (a failure).
std::string attach_outcome(const std::string &out, const std::string &program)
{
	size_t at = out.find("\n  " + program + ": ", out.find("\nattaching:\n"));
	if (at == std::string::npos)
		return "";
	std::string line = out.substr(at + 1, out.find('\n', at + 1) - at - 1);
	if (line.find(": attached at ") != std::string::npos)
		return "attached";
	if (line.find("not supported by this kernel") != std::string::npos)
		return "unsupported";
	return "";
}

} // namespace

TEST_CASE("guard obj --load: every program type loads, or is reported as this kernel's refusal; unknown sections skipped")
{
	REQUIRE(test::running_as_root());
	test::CommandResult r = test::run_command({{GUARD_BINARY, "obj", "--load", test::fixture_path("program_types.bpf.o")}});
	INFO(r.out << r.err);
	CHECK(r.exit_code() == 0);
	CHECK(r.out.find("on_unknown: skipped: section guard_unknown/anything names no program type") != std::string::npos);
	for (const char *name : {"on_kprobe", "on_kretprobe", "on_ksyscall", "on_kretsyscall", "on_uprobe", "on_uretprobe",
				 "on_raw_tp", "on_tp_btf", "on_perf_event", "on_tracepoint"}) {
		CAPTURE(name);
		CHECK(r.out.find(std::string(name) + ": loaded as id ") != std::string::npos);
	}
	for (const char *name : {"on_fentry", "on_fexit", "on_lsm"}) {
		CAPTURE(name);
		bool loaded = r.out.find(std::string(name) + ": loaded as id ") != std::string::npos;
		bool refused = r.out.find(std::string(name) + ": not loaded: load program " + name) != std::string::npos &&
			       r.out.find("not supported by this kernel") != std::string::npos;
		CHECK(loaded != refused);
	}
}

TEST_CASE("guard obj --attach: uprobe, uretprobe, raw_tp, tp_btf and tracepoint run; kprobes where the kernel has them")
{
	REQUIRE(test::running_as_root());
	test::ScratchDir dir("guard-attach");
	test::Command c({GUARD_BINARY, "obj", "--attach", "--attach-seconds", "60", "--set", "uprobe_step=3", "--map",
			 "sized:max_entries=4096", test::fixture_path("program_types.bpf.o")});
	// The uprobe's section names its binary without a path: found on PATH.
	c.env = {"PATH=" + std::string(GUARD_HELPERS_DIR) + ":/usr/bin:/bin"};
	test::Spawned guard(c);
	REQUIRE(guard.wait_stderr("guard obj: attached ", std::chrono::seconds(20)));

	auto target = test::run_helper("uprobe_target", {"5"}); // an exec (tp_btf), 5 calls (uprobes)
	CHECK(target.status == 0);
	std::string file = dir.path + "/x";
	::close(::open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	::unlink(file.c_str()); // do_unlinkat: the kprobes
	(void)::getppid();      // the ksyscall probes and the tracepoint

	int status = guard.stop(SIGTERM);
	std::string out = guard.read_stdout();
	INFO(out << guard.stderr_text());
	REQUIRE(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
	CHECK(out.find("\n  sized            id ") != std::string::npos);
	CHECK(out.find(", key 4, value 8, max_entries 4096\n", out.find("maps as the kernel created them:")) !=
	      std::string::npos);
	CHECK(out.find("on_perf_event: skipped: ") != std::string::npos);
	for (const char *name : {"on_uprobe", "on_uretprobe", "on_raw_tp", "on_tp_btf", "on_tracepoint"}) {
		CAPTURE(name);
		CHECK(attach_outcome(out, name) == "attached");
	}
	CHECK(global_value(out, "uprobe_step") == 3);
	CHECK(global_value(out, "uprobe_hits") == 15); // 5 calls, 3 each (--set)
	CHECK(global_value(out, "uretprobe_hits") == 5);
	CHECK(global_value(out, "raw_tp_hits") > 0);
	CHECK(global_value(out, "tp_btf_hits") >= 1);
	CHECK(global_value(out, "unknown_hits") == 0);
	for (auto [program, counter] : {std::pair{"on_kprobe", "kprobe_hits"}, std::pair{"on_kretprobe", "kretprobe_hits"},
					std::pair{"on_ksyscall", "ksyscall_hits"},
					std::pair{"on_kretsyscall", "kretsyscall_hits"}, std::pair{"on_fentry", "fentry_hits"},
					std::pair{"on_fexit", "fexit_hits"}, std::pair{"on_lsm", "lsm_hits"}}) {
		CAPTURE(program);
		std::string outcome = attach_outcome(out, program);
		REQUIRE(!outcome.empty());
		if (outcome == "attached")
			CHECK(global_value(out, counter) > 0);
		else
			CHECK(global_value(out, counter) == 0);
	}
}

TEST_CASE("guard obj --set and --map: bad settings are clear errors")
{
	std::string object = test::fixture_path("program_types.bpf.o");
	struct Case {
		std::vector<std::string> args;
		const char *message;
	};
	const Case cases[] = {
		{{"--set", "nosuch=1"}, "--set nosuch=1: no global variable nosuch in the object"},
		{{"--set", "uprobe_step"}, "--set uprobe_step: expected NAME=VALUE"},
		{{"--set", "uprobe_step=three"}, "--set uprobe_step=three: expected an integer, got \"three\""},
		{{"--map", "nosuch:max_entries=1"}, "--map nosuch:max_entries=1: no map nosuch in the object"},
		{{"--map", "sized:depth=1"}, "unknown field depth (expected max_entries, value_size or key_size)"},
		{{"--map", "sized:max_entries=-1"}, "expected a non-negative integer"},
		{{"--map", "sized"}, "expected NAME:FIELD=N"},
	};
	for (const Case &k : cases) {
		std::vector<std::string> argv{GUARD_BINARY, "obj"};
		argv.insert(argv.end(), k.args.begin(), k.args.end());
		argv.push_back(object);
		test::CommandResult r = test::run_command({argv});
		CAPTURE(k.message);
		INFO(r.err);
		CHECK(r.exit_code() == 1);
		CHECK(r.err.find(k.message) != std::string::npos);
	}
}
