// SPDX-License-Identifier: GPL-2.0-or-later
// guard's command line as a new user meets it: --help with defaults, help and
// version as commands, options after a command, counts in words, a closed
// stdout, guard record's summary and a recording that replays without root,
// and `make run`, whose stdout carries guard's lines only.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "test/support/command.h"
#include "test/support/e2e_support.h"

using namespace guard;
using namespace std::chrono_literals;

namespace {

test::CommandResult guard_run(const std::vector<std::string> &args)
{
	test::Command c;
	c.argv = {GUARD_BINARY};
	c.argv.insert(c.argv.end(), args.begin(), args.end());
	return test::run_command(c);
}

// A rules file with one rule, for counting words.
const char *kOneRule = R"({"version": 1, "rules": [{"id": "SHADOW_READ", "severity": "high",
  "description": "reads /etc/shadow", "events": ["file_open"], "match": {"field": "path", "in": ["/etc/shadow"]}}]})";

} // namespace

TEST_CASE("--help shows every default, the signals and the exit status; help and version are commands too")
{
	auto help = guard_run({"--help"});
	CHECK(help.exit_code() == 0);
	INFO(help.out);
	CHECK(help.out.find("--ring-pages N [1024]") != std::string::npos);
	CHECK(help.out.find("--health-interval SECONDS [60]") != std::string::npos);
	CHECK(help.out.find("--process-table-size N [32768]") != std::string::npos);
	CHECK(help.out.find("SIGHUP") != std::string::npos);
	CHECK(help.out.find("Exit status:") != std::string::npos);

	auto help_command = guard_run({"help"});
	CHECK(help_command.exit_code() == 0);
	CHECK(help_command.out == help.out);
	auto rules_check = guard_run({"help", "rules", "check"});
	CHECK(rules_check.exit_code() == 0);
	CHECK(rules_check.out.find("Validate FILE") != std::string::npos);
	CHECK(guard_run({"help", "nonsense"}).exit_code() == 2);

	auto version = guard_run({"version"});
	CHECK(version.exit_code() == 0);
	CHECK(version.out.rfind("guard ", 0) == 0);
	CHECK(version.out == guard_run({"--version"}).out);
}

TEST_CASE("the agent's options follow guard record FILE; before another command they are refused by name")
{
	// Parsed after the command: the bad size is the ring's complaint.
	auto bad = guard_run({"record", "/nonexistent/x.rec", "--ring-pages", "12"});
	CHECK(bad.exit_code() == 2);
	CHECK(bad.err.find("power of two") != std::string::npos);

	auto before = guard_run({"--rules", "x.json", "replay", "x.rec"});
	CHECK(before.exit_code() == 2);
	INFO(before.err);
	CHECK(before.err.find("--rules is an option of the agent") != std::string::npos);
	CHECK(before.err.find("give it after the command's name") != std::string::npos);
}

TEST_CASE("one rule is \"1 rule\", in guard rules check and at the agent's start")
{
	test::ScratchDir dir;
	std::ofstream(dir.path + "/one.json") << kOneRule;
	auto check = guard_run({"rules", "check", dir.path + "/one.json"});
	CHECK(check.exit_code() == 0);
	CHECK(check.out.find(": 1 rule\n") != std::string::npos);

	REQUIRE(test::running_as_root());
	test::Spawned guard(test::Command{{GUARD_BINARY, "--rules", dir.path + "/one.json", "--output", dir.path + "/out"}});
	CHECK(guard.wait_stderr(" processes from /proc", 10s));
	guard.stop(SIGINT);
	CHECK(guard.stderr_text().find("guard: 1 rule from " + dir.path + "/one.json;") != std::string::npos);
}

TEST_CASE("guard | head: when the reader of stdout goes away, guard ends quietly with exit 0")
{
	REQUIRE(test::running_as_root());
	test::Spawned guard(test::Command{{GUARD_BINARY}}, false);
	REQUIRE(guard.wait_stderr("guard: attached ", 10s));
	guard.close_stdout(); // head has read its lines and exited
	int status = -1;
	for (int i = 0; i < 100 && status == -1; i++) {
		test::run_and_wait("/bin/true"); // a line for guard to write into the closed pipe
		status = guard.wait_exit(100ms);
	}
	INFO("stderr: " << guard.stderr_text());
	REQUIRE(status != -1);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
	CHECK(guard.stderr_text().find("Broken pipe") == std::string::npos);
}

TEST_CASE("guard record under sudo: a summary at exit, and the sudo user replays it without root")
{
	REQUIRE(test::running_as_root());
	test::ScratchDir dir;
	const std::string binary = dir.path + "/guard", recording = dir.path + "/capture.rec";
	std::filesystem::copy_file(GUARD_BINARY, binary);
	test::Command c;
	c.argv = {binary, "record", recording, "--disable", "network"}; // the agent's options after FILE
	c.env = {"SUDO_UID=65534", "SUDO_GID=65534"};
	test::Spawned guard(c);
	REQUIRE(guard.wait_stderr("guard: attached ", 10s));
	CHECK(guard.stderr_text().find("(process 12, file 44, io_uring 2, privilege ") != std::string::npos);
	pid_t child = test::run_and_wait("/bin/true");
	std::this_thread::sleep_for(200ms);
	int status = guard.stop(SIGINT);
	std::string err = guard.stderr_text();
	INFO("stderr: " << err);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
	CHECK(err.find("guard: recorded ") != std::string::npos);
	CHECK(err.find(" records (") != std::string::npos);
	CHECK(err.find(" to " + recording + "; guard replay " + recording + " reads them") != std::string::npos);

	struct stat st {};
	REQUIRE(::stat(recording.c_str(), &st) == 0);
	CHECK(st.st_uid == 65534);
	CHECK(st.st_gid == 65534);
	CHECK((st.st_mode & 0777) == 0600);

	test::Command replay;
	replay.argv = {binary, "replay", recording};
	replay.as_user = true;
	replay.uid = 65534;
	replay.gid = 65534;
	auto r = test::run_command(replay);
	INFO("replay stderr: " << r.err);
	CHECK(r.exit_code() == 0);
	CHECK(r.out.find("\"type\":\"exec\"") != std::string::npos);
	CHECK(r.out.find("\"pid\":" + std::to_string(child) + ",") != std::string::npos);
}

TEST_CASE("make run: stdout holds guard's JSON lines only, the build's lines go to stderr")
{
	REQUIRE(test::running_as_root());
	test::Spawned run(test::make_command({"run"}));
	REQUIRE(run.wait_stderr("guard: attached ", 180s));
	pid_t child = test::run_and_wait("/bin/true");
	std::this_thread::sleep_for(300ms);
	run.stop(SIGINT, true); // as Ctrl-C does: make and guard
	std::string out = run.read_stdout();
	INFO("stdout: " << out.substr(0, 4000));
	INFO("stderr: " << run.stderr_text());
	std::istringstream lines(out);
	simdjson::dom::parser parser;
	size_t n = 0;
	for (std::string line; std::getline(lines, line); n++) {
		simdjson::dom::element doc;
		CHECK_MESSAGE(parser.parse(line).get(doc) == simdjson::SUCCESS, line);
	}
	CHECK(n > 0);
	CHECK(out.find("\"pid\":" + std::to_string(child) + ",") != std::string::npos);
}

TEST_CASE("guard(8) comes from the command line's own definitions: every command and option, valid roff")
{
	auto man = guard_run({"help", "--man"});
	REQUIRE(man.exit_code() == 0);
	for (const char *section : {".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH COMMANDS", ".SH \"SIGNALS\"",
				    ".SH \"EXIT STATUS\"", ".SH \"FILES\"", ".SH \"ENVIRONMENT\"", ".SH \"KERNEL\"",
				    ".SH \"PRIVILEGES\""})
		CHECK_MESSAGE(man.out.find(section) != std::string::npos, section);
	for (const char *command : {"guard record", "guard replay", "guard rules check", "guard rules defaults",
				    "guard obj", "guard help", "guard version"})
		CHECK_MESSAGE(man.out.find(".SS \"" + std::string(command) + "\"") != std::string::npos, command);
	// Every long option --help names (guard's and each command's) is in the manual.
	for (std::vector<std::string> help : std::vector<std::vector<std::string>>{
		     {"--help"}, {"help", "record"}, {"help", "replay"}, {"help", "obj"}, {"help", "rules", "check"}}) {
		std::istringstream text(guard_run(help).out);
		for (std::string word; text >> word;) {
			if (word.rfind("--", 0) != 0 || word == "--help")
				continue;
			word = word.substr(0, word.find_first_not_of("-abcdefghijklmnopqrstuvwxyz0123456789"));
			std::string roff; // a dash in roff is "\\-"
			for (char ch : word)
				roff += ch == '-' ? std::string("\\-") : std::string(1, ch);
			CHECK_MESSAGE(man.out.find(roff) != std::string::npos, word);
		}
	}
	test::ScratchDir dir;
	std::ofstream(dir.path + "/guard.8") << man.out;
	test::Command groff;
	groff.argv = {"groff", "-man", "-ww", "-z", dir.path + "/guard.8"};
	auto lint = test::run_command(groff);
	CHECK(lint.exit_code() == 0);
	CHECK_MESSAGE(lint.err.empty(), lint.err);
}
