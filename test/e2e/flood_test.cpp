// SPDX-License-Identifier: GPL-2.0-or-later
// A flood cannot buy invisibility (issue 11, point 7). File records have a
// ring of their own, so a flood of them, as fast as eight unprivileged
// processes can open a file, cannot crowd out the process records in the
// other ring: 50 execs from /tmp during the flood make 50 EXEC_FROM_TMP
// alerts, and the health record counts dropped file records and not one
// dropped process or network record.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <stdexcept>
#include <sstream>
#include <string>
#include <thread>

#include "abi/guard_abi.h"
#include "engine/record.h"
#include "test/support/e2e_support.h"
#include "test/support/files.h"

using namespace guard;
using namespace std::chrono_literals;

namespace {

// test/helpers/open_flood, running until stop().
class Flood {
public:
	Flood(int processes, uid_t uid, const std::string &path)
	{
		int out[2];
		if (::pipe2(out, O_CLOEXEC) != 0)
			throw std::runtime_error("pipe2 failed");
		pid_ = ::fork();
		if (pid_ == 0) {
			::dup2(out[1], STDOUT_FILENO);
			std::vector<std::string> argv{std::string(GUARD_HELPERS_DIR) + "/open_flood",
						      std::to_string(processes), std::to_string(uid), path};
			test::exec_or_die(argv);
		}
		::close(out[1]);
		out_ = out[0];
	}
	// Waits until every flooding process runs unprivileged.
	bool ready() { return read_until("ready\n"); }
	~Flood()
	{
		if (pid_ > 0) {
			::kill(pid_, SIGKILL);
			::waitpid(pid_, nullptr, 0);
		}
		::close(out_);
	}
	// Stops the flood; returns how many opens it made.
	uint64_t stop()
	{
		::kill(pid_, SIGTERM);
		read_until("\n", text_.size());
		::waitpid(pid_, nullptr, 0);
		pid_ = -1;
		return std::stoull(test::helper_value(text_, "opens"));
	}

private:
	bool read_until(const std::string &end, size_t from = 0)
	{
		char buf[256];
		ssize_t n;
		while (text_.find(end, from) == std::string::npos && (n = ::read(out_, buf, sizeof(buf))) > 0)
			text_.append(buf, size_t(n));
		return text_.find(end, from) != std::string::npos;
	}

	pid_t pid_ = -1;
	int out_ = -1;
	std::string text_;
};

// Alert lines of rule EXEC_FROM_TMP whose pid is one of pids.
size_t exec_from_tmp_alerts(const std::string &text, const std::set<pid_t> &pids)
{
	simdjson::dom::parser parser;
	std::set<pid_t> alerted;
	std::istringstream lines(text);
	for (std::string line; std::getline(lines, line);) {
		if (line.find("\"rule\":\"EXEC_FROM_TMP\"") == std::string::npos)
			continue;
		simdjson::dom::element doc;
		std::string_view type;
		uint64_t pid = 0;
		if (parser.parse(line).get(doc) == simdjson::SUCCESS && doc["type"].get(type) == simdjson::SUCCESS &&
		    type == "alert" && doc["pid"].get(pid) == simdjson::SUCCESS && pids.count(pid_t(pid)))
			alerted.insert(pid_t(pid));
	}
	return alerted.size();
}

} // namespace

TEST_CASE("8 unprivileged open loops flat out cannot crowd out 50 execs from /tmp: 50 of 50 alerts")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir("guard-flood");
	// Traversable and readable by the unprivileged flood.
	REQUIRE(::chmod(dir.path.c_str(), 0755) == 0);
	std::string target = dir.write("target", "x");
	std::string exe = dir.path + "/x";
	std::filesystem::copy_file("/bin/true", exe);
	REQUIRE(::chmod(exe.c_str(), 0755) == 0);

	// A small file ring (8 pages), so the flood overflows it for real.
	test::GuardProcess guard({"--ring-pages", "8", "--alerts-only"});
	REQUIRE(!guard.wait_attached().empty());
	INFO("stderr: " << guard.stderr_text());

	constexpr int kExecs = 50;
	std::set<pid_t> pids;
	uint64_t opens = 0;
	{
		Flood flood(8, 65534, target);
		REQUIRE(flood.ready());
		for (int i = 0; i < kExecs; i++)
			pids.insert(test::run_and_wait(exe));
		opens = flood.stop();
	}
	MESSAGE("the flood made " << opens << " opens");
	REQUIRE(pids.size() == size_t(kExecs));

	auto deadline = std::chrono::steady_clock::now() + 10s;
	while (exec_from_tmp_alerts(guard.output_text(), pids) < size_t(kExecs) &&
	       std::chrono::steady_clock::now() < deadline)
		std::this_thread::sleep_for(50ms);
	CHECK(guard.stop(SIGINT) == 0);
	std::string text = guard.output_text();
	CHECK(exec_from_tmp_alerts(text, pids) == size_t(kExecs));

	// The final health record: file records were dropped, and counted in
	// the file ring; not one process record was. (The counters are the
	// whole machine's: network records that other processes flood into
	// the other ring are not this test's to judge, only shown.)
	std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
	INFO("health: " << last);
	simdjson::dom::parser parser;
	simdjson::dom::element h;
	REQUIRE(parser.parse(last).get(h) == simdjson::SUCCESS);
	REQUIRE(std::string_view(h["type"]) == "health");
	CHECK(uint64_t(h["kernel_drops"]["file_open"]) > 0);
	CHECK(uint64_t(h["rings"]["file"]["drops"]) >= uint64_t(h["kernel_drops"]["file_open"]));
	for (uint16_t kind : {GUARD_RECORD_EXEC, GUARD_RECORD_EXEC_FAILED, GUARD_RECORD_FORK, GUARD_RECORD_EXIT}) {
		CAPTURE(record_kind_name(kind));
		CHECK(guard_ring_of(kind) == GUARD_RING_PROC_NET);
		CHECK(uint64_t(h["kernel_drops"][record_kind_name(kind)]) == 0);
	}
	MESSAGE("file records dropped: " << uint64_t(h["rings"]["file"]["drops"])
					 << "; process and network records dropped: " << uint64_t(h["rings"]["proc_net"]["drops"]));
}
