// SPDX-License-Identifier: GPL-2.0-or-later
// The walking skeleton, end to end on the real kernel: guard loads its object,
// attaches, reports a real exec, and on SIGTERM detaches and exits 0 leaving
// no program of ours loaded.
#include <doctest/doctest.h>

#include <simdjson.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "loader/tracepoint.h"
#include "test/support/e2e_support.h"

using namespace guard;
using namespace std::chrono_literals;

TEST_CASE("guard reports /bin/true with its pid and comm, then detaches on SIGTERM")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	std::string attached = guard.wait_attached();
	INFO("guard stderr: " << guard.stderr_text());
	// Without CONFIG_MODULES the kernel has no module syscall tracepoints:
	// their four programs (six tracepoints) are skipped.
	const bool modules = ::access((tracefs_root() + "/events/syscalls/sys_enter_init_module").c_str(), F_OK) == 0;
	const size_t programs = modules ? 68 : 64;
	REQUIRE(attached.find("attached " + std::to_string(programs) + " programs at " + (modules ? "125" : "119") +
			      " tracepoints (process 12, file 44, network 16, io_uring 2, privilege " +
			      (modules ? "51" : "45") + ") in ") != std::string::npos);

	std::vector<uint32_t> ours = test::programs_held_by(guard.pid());
	CHECK(ours.size() == programs);

	pid_t child = test::run_and_wait("/bin/true");
	std::string pid_field = "\"pid\":" + std::to_string(child) + ",";
	auto line = guard.find_line([&](const std::string &l) { return l.find(pid_field) != std::string::npos; });
	INFO("output: " << guard.output_text());
	REQUIRE(line);

	simdjson::dom::parser parser;
	simdjson::dom::element doc;
	REQUIRE(parser.parse(*line).get(doc) == simdjson::SUCCESS);
	CHECK(std::string_view(doc["type"]) == "exec");
	// The file the kernel ran, symlinks resolved (/bin is one on merged-/usr systems).
	CHECK(std::string_view(doc["path"]) == std::filesystem::canonical("/bin/true").string());
	CHECK(std::string_view(doc["path_given"]) == "/bin/true");
	CHECK(std::string_view(doc["comm"]) == "true");
	CHECK(uint64_t(doc["pid"]) == uint64_t(child));
	CHECK(uint64_t(doc["tid"]) == uint64_t(child));
	CHECK(uint64_t(doc["uid"]) == 0);
	CHECK(std::string_view(doc["time"]).size() == 30);

	int status = guard.stop(SIGTERM);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);

	auto after = test::loaded_program_ids();
	for (uint32_t id : ours)
		CHECK(std::find(after.begin(), after.end(), id) == after.end());
}

TEST_CASE("every output line is valid JSON")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	for (int i = 0; i < 20; i++)
		test::run_and_wait("/bin/true");
	REQUIRE(guard.stop(SIGINT) == 0);

	std::string text = guard.output_text();
	simdjson::dom::parser parser;
	size_t lines = 0;
	size_t start = 0;
	while (start < text.size()) {
		size_t end = text.find('\n', start);
		REQUIRE(end != std::string::npos); // every line is complete
		simdjson::dom::element doc;
		CHECK(parser.parse(text.substr(start, end - start)).get(doc) == simdjson::SUCCESS);
		lines++;
		start = end + 1;
	}
	CHECK(lines >= 20);
}
