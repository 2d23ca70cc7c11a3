// SPDX-License-Identifier: GPL-2.0-or-later
// Kill rules end to end (kern/enforce.bpf.h): with --enforce the kernel
// kills a program run from a file a rule names before it runs an
// instruction, a shell that opens a rule's file before it reads a byte, a
// connect to a rule's prefix before the program goes on; a reload moves the
// kill to another file at once, and a file replaced under its name is
// killed by its new identity. Without --enforce nothing is killed and the
// alerts say "would_kill". One agent run per mode.
#include <doctest/doctest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "test/support/e2e_support.h"
#include "test/support/temp_dir.h"

extern char **environ;

using namespace guard;
using test::TempDir;

namespace {

bool has(const std::string &s, const std::string &needle) { return s.find(needle) != std::string::npos; }

// Runs argv (argv[0] on PATH) and waits: its pid and wait status.
std::pair<pid_t, int> run(const std::vector<std::string> &argv)
{
	std::vector<char *> args;
	for (const std::string &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	pid_t pid = -1;
	REQUIRE(::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) == 0);
	int status = -1;
	REQUIRE(::waitpid(pid, &status, 0) == pid);
	return {pid, status};
}

bool killed(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }

std::string kill_rules(const std::string &exe, const std::string &secret)
{
	return R"({"rules": [
 {"id": "KILL_EXEC", "severity": "high", "events": ["exec"], "action": "kill",
  "match": {"field": "path", "equals": ")" +
	       exe + R"("}},
 {"id": "KILL_OPEN", "severity": "high", "events": ["file_open"], "action": "kill",
  "match": {"field": "path", "in": [")" +
	       secret + R"("]}},
 {"id": "KILL_CONNECT", "severity": "high", "events": ["net_connect"], "action": "kill",
  "match": {"any": [{"field": "addr", "cidr": "192.0.2.0/24"}, {"field": "addr", "cidr": "2001:db8::/32"}]}}
]})";
}

// The alert of rule for pid, with its action.
std::optional<std::string> alert(test::GuardProcess &guard, const std::string &rule, pid_t pid)
{
	std::string p = "\"pid\":" + std::to_string(pid) + ",";
	return guard.find_line([&](const std::string &l) {
		return has(l, "\"type\":\"alert\"") && has(l, "\"rule\":\"" + rule + "\"") && has(l, p);
	});
}

} // namespace

TEST_CASE("--enforce: the kernel kills at exec, open and connect; a reload moves the kill")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	std::string exe = dir.path + "/victim";
	std::filesystem::copy_file("/bin/sh", exe);
	std::string secret = dir.write("secret", "s3cret\n");
	std::string other = dir.write("other", "other\n");
	std::string rules = dir.write("rules.json", kill_rules(exe, secret));
	test::GuardProcess guard({"--rules", rules, "--enforce", "--alerts-only"});
	REQUIRE(!guard.wait_attached().empty());
	INFO("stderr: " << guard.stderr_text());

	// The copy of sh never runs its command: killed in the new image.
	auto [exec_pid, exec_status] = run({exe, "-c", "echo ran > " + dir.path + "/exec-marker"});
	CHECK(killed(exec_status));
	CHECK_FALSE(std::filesystem::exists(dir.path + "/exec-marker"));
	auto exec_alert = alert(guard, "KILL_EXEC", exec_pid);
	REQUIRE(exec_alert);
	CHECK(has(*exec_alert, "\"action\":\"killed\""));

	// The shell dies at the open's exit: its read and the write after never happen.
	auto [open_pid, open_status] = run({"sh", "-c", "read x < " + secret + "; echo \"$x\" > " + dir.path + "/read-marker"});
	CHECK(killed(open_status));
	CHECK_FALSE(std::filesystem::exists(dir.path + "/read-marker"));
	auto open_alert = alert(guard, "KILL_OPEN", open_pid);
	REQUIRE(open_alert);
	CHECK(has(*open_alert, "\"action\":\"killed\""));

	// A connect out of an empty netns fails at once; the kill comes at its
	// exit, before the write after it.
	std::string net_marker = dir.path + "/net-marker";
	auto [net_pid, net_status] =
		run({"unshare", "-n", "python3", "-c",
		     "import socket\ns = socket.socket()\ntry:\n    s.connect(('192.0.2.1', 80))\nexcept OSError:\n    pass\n"
		     "open('" + net_marker + "', 'w').write('after')\n"});
	CHECK(killed(net_status));
	CHECK_FALSE(std::filesystem::exists(net_marker));
	auto net_alert = alert(guard, "KILL_CONNECT", net_pid);
	REQUIRE(net_alert);
	CHECK(has(*net_alert, "\"action\":\"killed\""));

	// What no rule names runs as ever.
	CHECK(run({"sh", "-c", "read x < " + other}).second == 0);

	// A reload: the old file is free at once, the new one killed.
	dir.write("rules.json", kill_rules(exe, other));
	::kill(guard.pid(), SIGHUP);
	REQUIRE(guard.find_line([](const std::string &l) { return has(l, "\"type\":\"reload\"") && has(l, "\"ok\":true"); }));
	CHECK(run({"sh", "-c", "read x < " + secret}).second == 0);
	CHECK(killed(run({"sh", "-c", "read x < " + other}).second));

	// The file replaced (a new inode renamed over it, as passwd does to
	// /etc/shadow): once guard has seen the rename, the new file is killed.
	std::string replacement = dir.write("other.new", "new\n");
	std::filesystem::rename(replacement, other);
	bool replaced_killed = false;
	for (int i = 0; i < 40 && !replaced_killed; i++) {
		replaced_killed = killed(run({"sh", "-c", "read x < " + other}).second);
		if (!replaced_killed)
			::usleep(50'000);
	}
	CHECK(replaced_killed);
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("without --enforce a kill rule kills nothing and its alert says would_kill")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	std::string exe = dir.path + "/victim";
	std::filesystem::copy_file("/bin/sh", exe);
	std::string secret = dir.write("secret", "s3cret\n");
	std::string rules = dir.write("rules.json", kill_rules(exe, secret));
	test::GuardProcess guard({"--rules", rules, "--alerts-only"});
	REQUIRE(!guard.wait_attached().empty());
	auto [pid, status] = run({exe, "-c", "read x < " + secret + "; echo \"$x\" > " + dir.path + "/marker"});
	CHECK(status == 0);
	CHECK(std::filesystem::exists(dir.path + "/marker"));
	for (const char *rule : {"KILL_EXEC", "KILL_OPEN"}) {
		auto line = alert(guard, rule, pid);
		REQUIRE(line);
		CHECK(has(*line, "\"action\":\"would_kill\""));
	}
	CHECK(guard.stop(SIGTERM) == 0);
}

TEST_CASE("a kill rule on guard's own executable is refused before anything is loaded")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	std::string rules = dir.write(
		"rules.json", std::string(R"({"rules": [{"id": "KILL_GUARD", "severity": "high", "events": ["exec"],
 "action": "kill", "match": {"field": "path", "equals": ")") + GUARD_BINARY + R"("}}]})");
	test::GuardProcess guard({"--rules", rules, "--enforce"});
	CHECK(guard.wait_attached(std::chrono::seconds(5)).empty());
	CHECK(has(guard.stderr_text(), "would kill guard itself"));
}
