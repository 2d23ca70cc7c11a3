// SPDX-License-Identifier: GPL-2.0-or-later
// What guard needs from the kernel and from its user, checked on the real
// kernel: every feature the table lists is here; a helper the kernel lacks
// is found and named; without privilege guard says which capabilities it
// needs; with exactly the documented ones (as a user, and as the unit's
// root) it runs and reports.
#include <doctest/doctest.h>

#include <linux/bpf.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "loader/error.h"
#include "loader/kernel_support.h"
#include "test/support/command.h"
#include "test/support/e2e_support.h"

using namespace guard;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Runs guard (a copy any user may run) under setpriv with setpriv_args, its
// output in a directory of user's, until it reports an exec of /bin/true;
// returns guard's stderr and whether it did (and then exited 0 on SIGINT).
std::pair<std::string, bool> run_with(const std::vector<std::string> &setpriv_args, uid_t user)
{
	test::ScratchDir dir;
	const std::string binary = dir.path + "/guard", events = dir.path + "/out/events.jsonl";
	fs::copy_file(GUARD_BINARY, binary);
	fs::create_directory(dir.path + "/out");
	REQUIRE(::chown((dir.path + "/out").c_str(), user, user) == 0);
	test::Command c;
	c.argv = {"setpriv"};
	c.argv.insert(c.argv.end(), setpriv_args.begin(), setpriv_args.end());
	c.argv.insert(c.argv.end(), {binary, "--output", events});
	test::Spawned guard(c);
	bool attached = guard.wait_stderr("guard: attached ", 10s);
	bool seen = false;
	for (int i = 0; attached && i < 30 && !seen; i++) {
		pid_t child = test::run_and_wait("/bin/true");
		std::this_thread::sleep_for(100ms);
		seen = test::read_text(events).find("\"pid\":" + std::to_string(child) + ",") != std::string::npos;
	}
	int status = guard.stop(SIGINT);
	return {guard.stderr_text(), seen && WIFEXITED(status) && WEXITSTATUS(status) == 0};
}

} // namespace

TEST_CASE("this kernel has every feature guard's table lists")
{
	REQUIRE(test::running_as_root());
	auto missing = missing_kernel_features(kernel_features());
	CHECK(missing.empty());
	CHECK(describe_missing(missing).empty());
}

TEST_CASE("a helper or kfunc the kernel does not have is found missing and named, with the release guard needs")
{
	REQUIRE(test::running_as_root());
	const KernelFeature features[] = {
		{"bpf_get_current_pid_tgid()", "4.2", BPF_FUNC_get_current_pid_tgid, {}, {}},
		{"bpf_from_the_future()", "99.0", 100000, {}, {}}, // no kernel has helper 100000
		{"a file that is not there", "98.1", 0, "/nonexistent/guard-feature", {}},
		{"the bpf_rdonly_cast() kfunc", "6.2", 0, {}, "bpf_rdonly_cast"},
		{"a kfunc from the future", "97.0", 0, {}, "bpf_guard_from_the_future"},
	};
	auto missing = missing_kernel_features(features);
	REQUIRE(missing.size() == 3);
	CHECK(missing[0]->name == "bpf_from_the_future()");
	CHECK(missing[1]->name == "a file that is not there");
	CHECK(missing[2]->name == "a kfunc from the future");
	std::string text = describe_missing(missing);
	CHECK(text.find("lacks bpf_from_the_future() (Linux 99.0), a file that is not there (Linux 98.1), a kfunc from "
			"the future (Linux 97.0): guard needs Linux " +
			std::string(minimum_kernel()) + " or later") != std::string::npos);
}

TEST_CASE("without privilege guard names the capabilities it needs; exit 1")
{
	REQUIRE(test::running_as_root());
	auto [err, ran] = run_with({"--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"}, 65534);
	INFO(err);
	CHECK(!ran);
	CHECK(err.find("guard: BPF_PROG_LOAD: Operation not permitted: guard needs root, or CAP_BPF, CAP_PERFMON, "
		       "CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE") != std::string::npos);
}

TEST_CASE("as a plain user with the documented capabilities, guard runs and reports; without tracefs's, it says so")
{
	REQUIRE(test::running_as_root());
	const std::string caps = "+bpf,+perfmon,+dac_read_search,+sys_ptrace";
	auto [err, ran] = run_with({"--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=" + caps,
				    "--ambient-caps=" + caps},
				   65534);
	INFO(err);
	CHECK(ran);

	const std::string no_dac = "+bpf,+perfmon,+sys_ptrace";
	auto [refused, ran_without] = run_with({"--reuid=65534", "--regid=65534", "--clear-groups",
						 "--inh-caps=" + no_dac, "--ambient-caps=" + no_dac},
						65534);
	INFO(refused);
	CHECK(!ran_without);
	CHECK(refused.find("tracefs") != std::string::npos);
}

TEST_CASE("as root with the unit's CapabilityBoundingSet only, guard runs and reports")
{
	REQUIRE(test::running_as_root());
	auto [err, ran] =
		run_with({"--bounding-set=-all,+bpf,+perfmon,+sys_ptrace", "--inh-caps=-all", "--no-new-privs"}, 0);
	INFO(err);
	CHECK(ran);
}
