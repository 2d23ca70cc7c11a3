// SPDX-License-Identifier: GPL-2.0-or-later
// A rules file is policy for a process that runs as root: it is read without
// blocking and only when it is a regular file that nobody but root (or
// guard's own user) can change, in directories nobody else can change
// (sshd's StrictModes); a set with no enabled rule is refused unless asked
// for. `guard rules check` applies the same policy.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "rules/rules_file.h"
#include "test/support/temp_dir.h"

using namespace guard;

namespace {

const char *kOneRule = R"({"rules": [{"id": "R", "severity": "low", "events": ["exec"]}]})";

std::string refusal(const std::string &path, rules::RulesFilePolicy policy = {true, false})
{
	try {
		rules::load_rules_file(path, policy);
	} catch (const rules::RulesFileError &e) {
		return e.what();
	}
	return "";
}

} // namespace

TEST_CASE("a FIFO in the rules file's place is refused at once, not waited on")
{
	test::TempDir dir;
	std::string fifo = dir.path + "/rules.json";
	REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
	auto start = std::chrono::steady_clock::now();
	CHECK(refusal(fifo) == fifo + ": not a regular file");
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("a rules file others can write, or in a directory others can write, is refused")
{
	test::TempDir dir;
	std::string file = dir.write("rules.json", kOneRule);
	CHECK(refusal(file) == "");

	REQUIRE(::chmod(file.c_str(), 0666) == 0);
	CHECK(refusal(file) == file + ": the file is writable by others (mode 0666): refused, as a rules file others "
				      "could change (fix its owner or mode, or pass --allow-untrusted-rules)");
	REQUIRE(::chmod(file.c_str(), 0620) == 0);
	CHECK(refusal(file).find("the file is writable by group (mode 0620)") != std::string::npos);
	CHECK(refusal(file, {false, false}) == ""); // --allow-untrusted-rules
	REQUIRE(::chmod(file.c_str(), 0644) == 0);

	REQUIRE(::chmod(dir.path.c_str(), 0777) == 0);
	CHECK(refusal(file).find("directory " + dir.path + " is writable by others (mode 0777)") != std::string::npos);
	// Sticky, like /tmp: nobody else may replace what lies in it.
	REQUIRE(::chmod(dir.path.c_str(), 01777) == 0);
	CHECK(refusal(file) == "");
	REQUIRE(::chmod(dir.path.c_str(), 0700) == 0);

	// Through a link: the directories checked are those the file lies in.
	test::TempDir open_dir;
	REQUIRE(::chmod(open_dir.path.c_str(), 0777) == 0);
	std::string link = open_dir.path + "/rules.json";
	REQUIRE(::symlink(file.c_str(), link.c_str()) == 0);
	CHECK(refusal(link) == "");
	std::string copy = open_dir.write("copy.json", kOneRule);
	CHECK(refusal(copy).find("directory " + open_dir.path + " is writable by others") != std::string::npos);
}

TEST_CASE("a rules file owned by another user is refused")
{
	if (::geteuid() != 0) {
		MESSAGE("needs root to give a file away: not checked");
		return;
	}
	test::TempDir dir;
	std::string file = dir.write("rules.json", kOneRule);
	REQUIRE(::chown(file.c_str(), 65534, 65534) == 0);
	CHECK(refusal(file).find("the file is owned by uid 65534, not by root or guard's uid 0") != std::string::npos);
	REQUIRE(::chown(file.c_str(), 0, 0) == 0);
	REQUIRE(::chown(dir.path.c_str(), 65534, 65534) == 0);
	CHECK(refusal(file).find("directory " + dir.path + " is owned by uid 65534") != std::string::npos);
	REQUIRE(::chown(dir.path.c_str(), 0, 0) == 0);
}

TEST_CASE("a rule set with no enabled rule is refused unless --allow-no-rules")
{
	test::TempDir dir;
	std::string none = dir.write("none.json", R"({"rules": []})");
	std::string disabled = dir.write("disabled.json",
					 R"({"rules": [{"id": "R", "severity": "low", "events": ["exec"], "enabled": false}]})");
	std::string seed = dir.write("seed.json", R"({"rules": {"shadow_read": {"enabled": false, "severity": "high", "paths": ["/etc/shadow"]}}})");
	for (const std::string &f : {none, disabled, seed}) {
		CAPTURE(f);
		CHECK(refusal(f) == f + ": no enabled rule: guard would detect nothing (pass --allow-no-rules to run without rules)");
		CHECK(refusal(f, {true, true}) == "");
	}
}
