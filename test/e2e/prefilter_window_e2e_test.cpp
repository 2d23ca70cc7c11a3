// SPDX-License-Identifier: GPL-2.0-or-later
// The prefilter and a watched name given a new file (kern/prefilter.bpf.h):
// with --alerts-only, one process replaces watched files and opens them at
// once, long before the engine sees the change and resolves the names
// again. Each open must still reach the rules: a file renamed over a
// watched one, unlinked and created anew, linked into place (their ctime,
// in a directory marked as holding a watched name), a file bind-mounted
// over a watched one (the walk crosses the mount and finds the file it
// covers) and a directory mounted over a watched directory. And the filter
// still holds back the opens of a file no rule watches.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>

#include <sstream>

#include "test/support/e2e_support.h"
#include "test/support/events.h"
#include "test/support/temp_dir.h"

using namespace guard;

namespace {

std::string rules_text(const std::string &d)
{
	return R"({"rules": [
 {"id": "TEST_NAMES", "severity": "high", "events": ["file_open"],
  "match": {"field": "path", "in": [")" + d + "/names/a\", \"" + d + "/names/b\", \"" + d + "/names/c\", \"" + d +
	       R"(/names/e"]}},
 {"id": "TEST_WATCHED", "severity": "low", "events": ["file_open"], "match": {"field": "path", "prefix": ")" + d +
	       R"(/watched/"}}
]})";
}

// The alerts for rule from pid for a read-only open (flags 0) of path.
size_t read_alerts(const std::string &output, pid_t pid, const std::string &rule, const std::string &path)
{
	size_t n = 0;
	std::istringstream lines(output);
	for (std::string line; std::getline(lines, line);)
		n += line.find("\"type\":\"alert\"") != std::string::npos &&
		     line.find("\"pid\":" + std::to_string(pid) + ",") != std::string::npos &&
		     line.find("\"rule\":\"" + rule + "\"") != std::string::npos &&
		     line.find("\"path\":\"" + path + "\"") != std::string::npos &&
		     line.find("\"flags\":0,") != std::string::npos;
	return n;
}

uint64_t filtered_opens(const std::string &output)
{
	std::istringstream lines(output);
	std::string health;
	for (std::string line; std::getline(lines, line);)
		if (line.find("\"type\":\"health\"") != std::string::npos)
			health = line;
	INFO("health: " << health);
	size_t at = health.find("\"filtered\":{");
	REQUIRE(at != std::string::npos);
	size_t k = health.find("\"file_open\":", at);
	return k == std::string::npos ? 0 : std::stoull(health.substr(k + 12));
}

} // namespace

TEST_CASE("the prefilter: a watched name renamed over, recreated, linked or mounted over is opened at once")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir("guard-prefilter-window");
	const std::string &d = dir.path;
	for (const char *sub : {"/names", "/watched", "/other", "/other/dir"})
		REQUIRE(::mkdir((d + sub).c_str(), 0755) == 0);
	for (const char *name : {"names/a", "names/b", "names/c", "names/e", "watched/f", "other/a.new", "other/c.new",
				 "other/e.src", "other/dir/f", "other/plain"})
		dir.write(name, "x");
	std::string rules = dir.write("rules.json", rules_text(d));

	test::GuardProcess guard({"--rules", rules, "--allow-untrusted-rules", "--alerts-only"});
	REQUIRE(!guard.wait_attached().empty());
	// One process, each open right after the change: the engine has not
	// seen the change yet, let alone put the new file in the tables.
	std::vector<std::string> ops = {
		"rename", d + "/other/a.new", d + "/names/a", "open", d + "/names/a", "0", "0",             // renamed over
		"unlink", d + "/names/b", "creat", d + "/names/b", "0600", "open", d + "/names/b", "0", "0", // created anew
		"unlink", d + "/names/c", "link", d + "/other/c.new", d + "/names/c", "open", d + "/names/c", "0", "0",
	};
	bool mounts = test::root_is_mount_point();
	if (mounts)
		ops.insert(ops.end(), {
			"unshare-mount", "bind", d + "/other/e.src", d + "/names/e", "open", d + "/names/e", "0", "0", // a file mounted over
			"bind", d + "/other/dir", d + "/watched", "open", d + "/watched/f", "0", "0", // a directory mounted over
		});
	else
		MESSAGE("mounts skipped: / is no mount point here (a chroot), so a mount could reach the host's namespace");
	constexpr int unwatched_opens = 1000;
	for (int i = 0; i < unwatched_opens; i++)
		ops.insert(ops.end(), {"open", d + "/other/plain", "0", "0"});
	auto run = test::run_helper("file_ops", ops);
	INFO("file_ops: " << run.out.substr(0, 2000));
	REQUIRE(run.status == 0);
	REQUIRE(run.out.find("ret=-1") == std::string::npos);
	// The last alert: all before it are in.
	REQUIRE(mounts ? test::alerted(guard, run.pid, "TEST_WATCHED")
		       : test::alerted(guard, run.pid, "TEST_NAMES", "\"path\":\"" + d + "/names/c\""));
	guard.stop(SIGTERM);
	std::string output = guard.output_text();
	INFO("output: " << output.substr(0, 4000));
	CHECK(read_alerts(output, run.pid, "TEST_NAMES", d + "/names/a") == 1);
	CHECK(read_alerts(output, run.pid, "TEST_NAMES", d + "/names/b") == 1);
	CHECK(read_alerts(output, run.pid, "TEST_NAMES", d + "/names/c") == 1);
	if (mounts) {
		CHECK(read_alerts(output, run.pid, "TEST_NAMES", d + "/names/e") == 1);
		CHECK(read_alerts(output, run.pid, "TEST_WATCHED", d + "/watched/f") == 1);
	}
	// Not everything passes: the opens of a file no rule watches were held
	// back, and counted.
	CHECK(filtered_opens(output) >= unwatched_opens);
}
