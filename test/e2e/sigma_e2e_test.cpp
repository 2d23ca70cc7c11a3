// SPDX-License-Identifier: GPL-2.0-or-later
// Sigma rules end to end (docs/sigma.md): the agent with --sigma alerts on
// real execs (CommandLine|contains|all) and real connects (network_connection,
// to a documentation address from an empty network namespace: the connect
// fails at once and nothing leaves); guard rules check --sigma says why rules
// are skipped and refuses malformed YAML, and so does the agent. The
// fixtures are read with --allow-untrusted-rules: a checkout need not be
// root's.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "test/support/command.h"
#include "test/support/e2e_support.h"
#include "test/support/events.h"
#include "test/support/temp_dir.h"

using namespace guard;
using test::field_is;

namespace {

const char *const kRules = R"(title: 'E2E marker exec'
id: 33333333-0000-4000-8000-000000000003
logsource: {product: linux, category: process_creation}
detection:
  selection:
    CommandLine|contains|all:
      - 'sigma-e2e-marker'
      - '--flag'
    Image|endswith: '/echo'
  condition: selection
level: high
tags: [attack.t1059]
---
title: 'E2E connect out'
logsource: {product: linux, category: network_connection}
detection:
  selection:
    Initiated: 'true'
    DestinationIp|cidr: '198.51.100.0/24'
    DestinationPort: 4444
  condition: selection
level: critical
---
title: 'E2E windows'
logsource: {product: windows, category: process_creation}
detection:
  selection:
    Image|endswith: '\cmd.exe'
  condition: selection
)";

const std::string kUnsupported = std::string(GUARD_SOURCE_DIR) + "/test/fixtures/sigma_unsupported";

// Added to the rules' directory before a SIGHUP: the reload reads the
// directory again and compiles a regular expression, under the agent's
// seccomp filter.
const char *const kReloadedRule = R"(title: 'E2E after reload'
logsource: {product: linux, category: process_creation}
detection:
  selection:
    CommandLine|re: 'sigma-e2e-re[0-9]+ --after-reload$'
  condition: selection
level: medium
)";

} // namespace

TEST_CASE("sigma e2e: a process_creation rule and a network_connection rule fire on real execs and connects; "
	  "SIGHUP reads the directory again")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir;
	dir.write("rules.yml", kRules);
	test::GuardProcess guard({"--sigma", dir.path});
	REQUIRE(!guard.wait_attached().empty());
	CHECK(guard.stderr_text().find("guard: 2 Sigma rules loaded from 1 file, 1 skipped (for their logsource: "
				       "windows/process_creation 1)") != std::string::npos);

	pid_t hit = test::run_and_wait("/bin/echo", {"echo", "SIGMA-E2E-MARKER", "--flag"});
	pid_t miss = test::run_and_wait("/bin/echo", {"echo", "sigma-e2e-marker"});
	auto connect_hit = test::run_helper("net_ops", {"connect4", "198.51.100.7", "4444"}, true);
	auto connect_miss = test::run_helper("net_ops", {"connect4", "198.51.100.7", "443"}, true);
	INFO("output: " << guard.output_text());

	auto alert = test::find_event(guard, "alert", hit, field_is("rule", "E2E marker exec"));
	REQUIRE(alert);
	CHECK(alert->str("severity") == "high");
	CHECK(alert->str("sigma_id") == "33333333-0000-4000-8000-000000000003");
	CHECK(alert->str("level") == "high");
	CHECK(alert->line.find("\"tags\":[\"attack.t1059\"]") != std::string::npos);
	CHECK(alert->str("event") == "exec");

	auto net = test::find_event(guard, "alert", connect_hit.pid, field_is("rule", "E2E connect out"));
	REQUIRE(net);
	CHECK(net->str("severity") == "critical");
	CHECK(net->str("addr") == "198.51.100.7");
	CHECK(net->num("port") == 4444);
	CHECK_FALSE(net->flag("ok")); // the empty namespace has no route: an attempt, reported as one

	// The misses came before the last hit was found: their lines are written by now.
	CHECK_FALSE(test::find_event(guard, "alert", miss, {}, std::chrono::milliseconds(0)));
	CHECK_FALSE(test::find_event(guard, "alert", connect_miss.pid, {}, std::chrono::milliseconds(0)));

	std::filesystem::create_directory(dir.path + "/more");
	dir.write("more/reloaded.yml", kReloadedRule);
	guard.signal(SIGHUP);
	CHECK(guard.wait_stderr(" and Sigma " + dir.path + " in "));
	pid_t after = test::run_and_wait("/bin/echo", {"echo", "sigma-e2e-re42", "--after-reload"});
	CHECK(test::find_event(guard, "alert", after, field_is("rule", "E2E after reload")));
	CHECK(guard.stop(SIGINT) == 0);
}

TEST_CASE("sigma e2e: guard rules check --sigma: each skipped rule's FILE:LINE:COL and reason; malformed YAML exits 2")
{
	auto check = test::run_command({{GUARD_BINARY, "rules", "check", "--allow-untrusted-rules", "--sigma", kUnsupported}});
	CHECK(check.exit_code() == 2);
	INFO("stdout: " << check.out << "\nstderr: " << check.err);
	CHECK(check.err.find(kUnsupported + "/malformed.yml:3:10: malformed YAML: end of map flow not found") !=
	      std::string::npos);
	CHECK(check.err.find(kUnsupported + "/skipped.yml:12:5: skipped \"U utf16\": field \"CommandLine\": modifier "
					    "\"utf16le\" is not supported") != std::string::npos);
	CHECK(check.err.find("0 Sigma rules loaded from 2 files, 7 skipped") != std::string::npos);

	test::TempDir dir;
	std::string rules = dir.write("rules.yml", kRules);
	auto good = test::run_command({{GUARD_BINARY, "rules", "check", "--sigma", rules}});
	CHECK(good.exit_code() == 0);
	CHECK(good.out.find("rules.yml: 2 of 3 rules loaded\n") != std::string::npos);
	CHECK(good.out.find("rules.yml:25:22: skipped \"E2E windows\": logsource product \"windows\"") != std::string::npos);
	CHECK(good.out.find("E2E connect out [critical]\n  on: net_connect\n") != std::string::npos);
}

TEST_CASE("sigma e2e: the agent refuses a malformed Sigma file before loading any program")
{
	REQUIRE(test::running_as_root());
	auto run = test::run_command({{GUARD_BINARY, "--allow-untrusted-rules", "--sigma", kUnsupported, "--output", "/dev/null"}});
	CHECK(run.exit_code() == 2);
	CHECK(run.err.find("malformed.yml:3:10: malformed YAML: end of map flow not found (guard rules check --sigma PATH "
			   "lists every problem)") != std::string::npos);
	CHECK(run.err.find("attached") == std::string::npos);
}
