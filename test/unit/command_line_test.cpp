// SPDX-License-Identifier: GPL-2.0-or-later
// The command line refuses numbers out of range before anything runs (a
// --rotate-keep of 4294967295 once meant 4.29 billion renames; a
// --rotate-size of -5 was taken as 2^64 - 5), and `guard replay` replays the
// whole frames of a recording cut short. These run the guard binary; none
// needs root.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "engine/batch_writer.h"
#include "engine/output_file.h"
#include "engine/record_file.h"
#include "synthetic/record_mix.h"
#include "test/support/exec.h"
#include "test/support/temp_dir.h"

using namespace guard;

namespace {

// Runs the guard binary with args: exit status, stdout, stderr.
struct Run {
	int status = -1;
	std::string out, err;
};

Run run_guard(const std::vector<std::string> &args)
{
	test::TempDir dir("guard-cli");
	std::string out = dir.path + "/out", err = dir.path + "/err";
	pid_t pid = ::fork();
	if (pid == 0) {
		int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		::dup2(o, STDOUT_FILENO);
		::dup2(e, STDERR_FILENO);
		std::vector<std::string> a{GUARD_BINARY};
		a.insert(a.end(), args.begin(), args.end());
		test::exec_or_die(a);
	}
	Run r;
	::waitpid(pid, &r.status, 0);
	r.out = test::read_text(out);
	r.err = test::read_text(err);
	return r;
}

} // namespace

TEST_CASE("numbers on the command line out of range are refused, with the range")
{
	struct Bad {
		std::vector<std::string> args;
		std::string message;
	};
	const std::vector<Bad> cases = {
		{{"--rotate-keep", "4294967295"}, "--rotate-keep expects a whole number from 0 to 1000, got 4294967295"},
		{{"--rotate-size", "-5"}, "--rotate-size expects a whole number from 0 to 1125899906842624, got -5"},
		{{"--rotate-size", "1e9"}, "got 1e9"},
		{{"--health-interval", "100000"}, "--health-interval expects a whole number from 0 to 86400, got 100000"},
		{{"--process-table-size", "3"}, "--process-table-size"},
		{{"--ring-pages", "12"}, "power of two"},
		{{"--forward-queue-size", "-1"}, "--forward-queue-size expects a whole number"},
	};
	for (const Bad &c : cases) {
		CAPTURE(c.args[0]);
		Run r = run_guard(c.args);
		CHECK(WIFEXITED(r.status));
		CHECK(WEXITSTATUS(r.status) == 2);
		CHECK(r.err.find(c.message) != std::string::npos);
	}
}

TEST_CASE("a bad --syslog URL is a usage error that says what was expected")
{
	for (const char *url : {"logs.example:514", "tcp://127.0.0.1:70000", "ftp://127.0.0.1:21", "unix://dev/log"}) {
		CAPTURE(url);
		Run r = run_guard({"--syslog", url});
		CHECK(WIFEXITED(r.status));
		CHECK(WEXITSTATUS(r.status) == 2);
		CHECK(r.err.find(std::string("--syslog ") + url + ": ") != std::string::npos);
		CHECK(r.err.find("expected tcp://HOST:PORT, udp://HOST:PORT or unix:///PATH") != std::string::npos);
	}
}

TEST_CASE("guard replay of a recording cut short replays its whole frames and says where it ends")
{
	test::TempDir dir("guard-cli");
	std::string file = dir.path + "/cut.rec";
	auto mix = synthetic::record_mix();
	{
		OutputFile out({file, 0, 0});
		write_record_file_header(out.fd(), 0);
		BatchWriter w(out.fd(), 1 << 20, scan_frames);
		for (auto &r : mix)
			append_record(w, r);
		REQUIRE(w.flush());
	}
	size_t whole = mix.size() / 2, cut = sizeof(RecordFileHeader);
	for (size_t i = 0; i < whole; i++)
		cut += 4 + mix[i].size();
	REQUIRE(::truncate(file.c_str(), off_t(cut + 3)) == 0);
	Run r = run_guard({"replay", file, "--health"});
	CHECK(WEXITSTATUS(r.status) == 0);
	CHECK(r.err.find("guard: replay " + file + ": cut short at byte " + std::to_string(cut + 3) + ", inside the frame at byte " +
			 std::to_string(cut) + "; its " + std::to_string(whole) + " whole records before it are read") !=
	      std::string::npos);
	CHECK(r.out.find("\"records\":" + std::to_string(whole) + ",") != std::string::npos);
}
