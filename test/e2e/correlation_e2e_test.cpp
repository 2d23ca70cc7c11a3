// SPDX-License-Identifier: GPL-2.0-or-later
// The built-in correlation rules on real procedures, one agent for all:
// a discovery sweep by one shell, a port scan inside `unshare -n` (no
// route: every connect fails at once, nothing leaves the machine), chmod +x
// of a file in /tmp then its run, and a decoder piped into sh from a script
// file (the outer command line shows no decoder: only the two processes'
// relation does).
#include <doctest/doctest.h>

#include <filesystem>

#include "test/support/e2e_support.h"
#include "test/support/events.h"
#include "test/support/temp_dir.h"

using namespace guard;

namespace {

// An alert of rule by the process pid or one of its children (a shell runs
// its last command in its own process or in a child).
bool alerted_in_tree(test::GuardProcess &guard, pid_t pid, const std::string &rule, const std::string &also)
{
	const std::string pid_field = "\"pid\":" + std::to_string(pid) + ",", ppid_field = "\"ppid\":" + std::to_string(pid) + ",";
	return guard
		.find_line([&](const std::string &l) {
			return l.find("\"type\":\"alert\"") != std::string::npos &&
			       (l.find(pid_field) != std::string::npos || l.find(ppid_field) != std::string::npos) &&
			       l.find("\"rule\":\"" + rule + "\"") != std::string::npos && l.find(also) != std::string::npos;
		})
		.has_value();
}

} // namespace

TEST_CASE("the correlation rules on real procedures: discovery sweep, port scan, chmod then run, decode then shell")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir("guard-correlation");
	test::GuardProcess guard; // the built-in rules
	REQUIRE(!guard.wait_attached().empty());
	INFO("output: " << guard.output_text());

	// DISCOVERY_SWEEP: five discovery tools (all in a minimal Debian) by one shell.
	pid_t sweep = test::run_and_wait("/bin/sh", {"-c", "id; whoami; uname -a; cat /etc/passwd; getent passwd root"});
	CHECK(alerted_in_tree(guard, sweep, "DISCOVERY_SWEEP", "\"attack\":[\"T1082\",\"T1033\",\"T1057\",\"T1016\",\"T1049\",\"T1087.001\"]"));

	// PORT_SCAN: bash connecting to 25 ports of a documentation address
	// from a network namespace with no route (ENETUNREACH at once).
	pid_t scan = test::run_and_wait("/usr/bin/unshare",
					{"-n", "/bin/bash", "-c", "for p in $(seq 1 25); do : </dev/tcp/192.0.2.1/$p; done 2>/dev/null; exit 0"});
	CHECK(test::alerted(guard, scan, "PORT_SCAN", "\"attack\":[\"T1046\"]"));

	// CHMOD_THEN_RUN: a copy of true in /tmp made executable, then run.
	std::string program = dir.path + "/tool";
	std::filesystem::copy_file("/bin/true", program);
	std::filesystem::permissions(program, std::filesystem::perms(0644));
	pid_t chmod_run = test::run_and_wait("/bin/sh", {"-c", "chmod +x " + program + " && " + program + " && exit 0"});
	CHECK(alerted_in_tree(guard, chmod_run, "CHMOD_THEN_RUN", "\"attack\":[\"T1222.002\",\"T1204.002\"]"));

	// DECODE_THEN_SHELL: the pipeline in a script file, so no command line holds it.
	std::string script = dir.write("run.sh", "echo ZXhpdCAw | base64 -d | sh\n");
	pid_t decode = test::run_and_wait("/bin/sh", {script});
	CHECK(alerted_in_tree(guard, decode, "DECODE_THEN_SHELL", "\"attack\":[\"T1140\",\"T1059.004\"]"));
}
