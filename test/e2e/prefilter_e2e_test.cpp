// SPDX-License-Identifier: GPL-2.0-or-later
// The prefilter end to end (kern/prefilter.bpf.h): one scripted workload,
// two agent runs over the default rules (and three of the kernel's own
// shapes: an exact file, a directory, an accept's address), one writing
// every event, one with --alerts-only, where the kernel holds back what no
// rule can match. Both must give the same alerts for the workload's
// processes, the other names of a watched file (a hard link, a path through
// /proc/self/root) included; the second's health record counts what it held
// back. The first also checks that the kernel's dev of an opened file is
// stat's st_dev here, which the tables' identities rely on (they differ on
// btrfs and overlayfs, where the tables let those paths' kinds pass whole).
// A third run checks comm and uid (the task's own facts): processes named
// so, or with that real uid, alert, their failed opens too; the others'
// opens and binds are held back.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "base/fd.h"
#include "rules/rules_file.h"
#include "test/support/e2e_support.h"
#include "test/support/events.h"
#include "test/support/temp_dir.h"

using namespace guard;

namespace {

// The default rules, CREDENTIAL_FILE_READ off (its suffix test would make
// every open pass), and three rules the kernel checks from its tables.
std::string rules_text(const std::string &d)
{
	std::string text(rules::default_rules_text());
	const std::string cred = "\"id\": \"CREDENTIAL_FILE_READ\",";
	size_t at = text.find(cred);
	REQUIRE(at != std::string::npos);
	text.insert(at + cred.size(), " \"enabled\": false,");
	const std::string rules = "\"rules\": [";
	at = text.find(rules);
	REQUIRE(at != std::string::npos);
	text.insert(at + rules.size(), R"(
 {"id": "TEST_SECRET", "severity": "high", "events": ["file_open"], "match": {"field": "path", "equals": ")" + d +
						       R"(/secret"}},
 {"id": "TEST_WATCHED", "severity": "low", "events": ["file_open"], "match": {"field": "path", "prefix": ")" + d +
						       R"(/watched/"}},
 {"id": "TEST_ACCEPT", "severity": "low", "events": ["net_accept"], "match": {"field": "addr", "cidr": "127.0.0.2/32"}},)");
	return text;
}

// Accepts one loopback connection from 127.0.0.2 and one from 127.0.0.1,
// in a child; its pid.
pid_t accept_two()
{
	pid_t pid = ::fork();
	if (pid != 0) {
		::waitpid(pid, nullptr, 0);
		return pid;
	}
	Fd server(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	struct sockaddr_in a {};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	if (::bind(server.get(), reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0 || ::listen(server.get(), 4) != 0 ||
	    ::getsockname(server.get(), reinterpret_cast<sockaddr *>(&a), &len) != 0)
		_exit(1);
	for (const char *from : {"127.0.0.2", "127.0.0.1"}) {
		Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
		struct sockaddr_in c {};
		c.sin_family = AF_INET;
		::inet_pton(AF_INET, from, &c.sin_addr);
		if (::bind(client.get(), reinterpret_cast<sockaddr *>(&c), sizeof(c)) != 0 ||
		    ::connect(client.get(), reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0)
			_exit(2);
		Fd accepted(::accept(server.get(), nullptr, nullptr));
		if (!accepted.valid())
			_exit(3);
	}
	_exit(0);
}

struct Workload {
	std::vector<pid_t> pids;
	pid_t plain_reader = -1;
};

Workload run_workload(const std::string &d)
{
	Workload w;
	// cat reads into /dev/null, in the shell's pid (exec): one process.
	auto cat = [&](const std::string &path) {
		pid_t pid = test::run_and_wait("/bin/sh", {"-c", "exec cat \"$1\" > /dev/null", "sh", path});
		w.pids.push_back(pid);
		return pid;
	};
	cat(d + "/secret");                  // TEST_SECRET
	cat(d + "/other/alias");             // its hard link: by identity
	cat("/proc/self/root" + d + "/secret"); // another spelling
	cat(d + "/watched/sub/f");           // TEST_WATCHED, two directories up
	w.plain_reader = cat(d + "/other/plain"); // no rule
	w.pids.push_back(test::run_and_wait("/bin/sh", {"-c", "echo x > " + d + "/other/new"})); // a modifying open
	w.pids.push_back(test::run_and_wait("/bin/mkdir", {d + "/other/dir"})); // no rule watches mkdir
	w.pids.push_back(test::run_and_wait("/bin/chmod", {"4755", d + "/other/plain"})); // SETUID_BIT_SET
	cat("/etc/shadow");                  // SHADOW_READ
	w.pids.push_back(accept_two()); // TEST_ACCEPT once
	return w;
}

std::string text_of(std::string_view line, const std::string &key)
{
	std::string field = "\"" + key + "\":\"";
	size_t at = line.find(field);
	if (at == std::string_view::npos)
		return "";
	at += field.size();
	return std::string(line.substr(at, line.find('"', at) - at));
}

// The workload's alerts: rule and path or address, one per line.
std::multiset<std::string> alerts_of(const std::string &output, const Workload &w)
{
	std::multiset<std::string> out;
	std::istringstream lines(output);
	for (std::string line; std::getline(lines, line);) {
		if (line.find("\"type\":\"alert\"") == std::string::npos)
			continue;
		for (pid_t pid : w.pids)
			if (line.find("\"pid\":" + std::to_string(pid) + ",") != std::string::npos)
				out.insert(text_of(line, "rule") + " " + text_of(line, "path") + text_of(line, "addr"));
	}
	return out;
}

// Opens path in a child named comm whose real and effective uids are set
// first (-1: unchanged); its pid, once it has exited with code (0: opened,
// 2: not; -1: either).
pid_t open_as(const char *comm, uid_t ruid, uid_t euid, const std::string &path, int code)
{
	pid_t pid = ::fork();
	if (pid == 0) {
		if (::prctl(PR_SET_NAME, comm) != 0 || ::setresuid(ruid, euid, uid_t(-1)) != 0)
			_exit(1);
		_exit(::open(path.c_str(), O_RDONLY | O_CLOEXEC) >= 0 ? 0 : 2);
	}
	int status = -1;
	::waitpid(pid, &status, 0);
	CHECK((code < 0 || status == code << 8));
	return pid;
}

// Binds a loopback TCP socket in a child named comm; its pid.
pid_t bind_as(const char *comm)
{
	pid_t pid = ::fork();
	if (pid == 0) {
		struct sockaddr_in a {};
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		_exit(::prctl(PR_SET_NAME, comm) == 0 && ::bind(s, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0 ? 0 : 1);
	}
	int status = -1;
	::waitpid(pid, &status, 0);
	CHECK(status == 0);
	return pid;
}

bool alert_of(const std::string &output, pid_t pid, const std::string &rule)
{
	std::istringstream lines(output);
	for (std::string line; std::getline(lines, line);)
		if (line.find("\"type\":\"alert\"") != std::string::npos && text_of(line, "rule") == rule &&
		    line.find("\"pid\":" + std::to_string(pid) + ",") != std::string::npos)
			return true;
	return false;
}

std::string final_health(const std::string &output)
{
	std::istringstream lines(output);
	std::string last;
	for (std::string line; std::getline(lines, line);)
		if (line.find("\"type\":\"health\"") != std::string::npos)
			last = line;
	return last;
}

// A count in the health record's object named group ("filtered", "events").
uint64_t health_count(const std::string &health, const std::string &group, const std::string &kind)
{
	size_t at = health.find("\"" + group + "\":{");
	size_t k = at == std::string::npos ? at : health.find("\"" + kind + "\":", at);
	return k == std::string::npos ? 0 : std::stoull(health.substr(k + kind.size() + 3));
}

} // namespace

TEST_CASE("the prefilter: the same alerts with --alerts-only as with every event, and what it held back counted")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir("guard-prefilter");
	const std::string &d = dir.path;
	for (const char *sub : {"/other", "/watched", "/watched/sub"})
		REQUIRE(::mkdir((d + sub).c_str(), 0755) == 0);
	std::string secret = dir.write("secret", "s");
	dir.write("watched/sub/f", "f");
	REQUIRE(::link(secret.c_str(), (d + "/other/alias").c_str()) == 0);
	std::string rules = dir.write("rules.json", rules_text(d));

	std::multiset<std::string> alerts[2];
	std::string health;
	for (int filtered = 0; filtered < 2; filtered++) {
		CAPTURE(filtered);
		std::string plain = dir.write("other/plain", "p");
		std::filesystem::remove(d + "/other/new");
		std::filesystem::remove(d + "/other/dir");
		std::vector<std::string> args = {"--rules", rules, "--allow-untrusted-rules"};
		if (filtered)
			args.push_back("--alerts-only");
		test::GuardProcess guard(args);
		REQUIRE(!guard.wait_attached().empty());
		Workload w = run_workload(d);
		if (!filtered) {
			// The kernel's identity of an opened file is stat's here.
			auto open = test::find_event(guard, "file_open", w.plain_reader, test::field_is("path", plain));
			REQUIRE(open);
			struct stat st {};
			REQUIRE(::stat(plain.c_str(), &st) == 0);
			CHECK(uint64_t(open->num("dev")) == st.st_dev);
			CHECK(uint64_t(open->num("ino")) == st.st_ino);
		}
		// The workload's last event is in before guard stops.
		REQUIRE(test::alerted(guard, w.pids.back(), "TEST_ACCEPT"));
		guard.stop(SIGTERM);
		std::string output = guard.output_text();
		INFO("output: " << output.substr(0, 4000));
		alerts[filtered] = alerts_of(output, w);
		if (filtered)
			health = final_health(output);
	}
	CHECK(alerts[0].size() >= 6);
	CHECK(alerts[0] == alerts[1]);
	CHECK(alerts[1].count("TEST_SECRET " + d + "/other/alias") == 1);
	CHECK(alerts[1].count("TEST_WATCHED " + d + "/watched/sub/f") == 1);
	CHECK(alerts[1].count("TEST_ACCEPT 127.0.0.2") == 1);
	// What the kernel held back, counted by kind: the read of a file no
	// rule watches, the mkdir, the accept from 127.0.0.1 at least.
	INFO("health: " << health);
	size_t at = health.find("\"filtered\":{");
	REQUIRE(at != std::string::npos);
	auto count = [&](const std::string &kind) {
		size_t k = health.find("\"" + kind + "\":", at);
		return k == std::string::npos ? 0 : std::stoull(health.substr(k + kind.size() + 3));
	};
	CHECK(count("file_open") >= 1);
	CHECK(count("file_mkdir") >= 1);
	CHECK(count("net_accept") >= 1);
}

TEST_CASE("the prefilter: the task's comm and uid decide in the kernel, failed opens included")
{
	REQUIRE(test::running_as_root());
	test::TempDir dir("guard-prefilter-task");
	const std::string &d = dir.path;
	std::string file = dir.write("f", "f");
	std::string missing = d + "/missing";
	// Only comm and uid: the kernel decides every file_open, the failed ones
	// (a path the caller gave) too. uid is the real uid, as the engine's.
	std::string rules = dir.write("rules.json", R"({"rules": [
 {"id": "TEST_COMM", "severity": "low", "events": ["file_open", "net_bind"], "match": {"field": "comm", "in": ["guardcommtest", "gct", "guardcommtest15"]}},
 {"id": "TEST_UID", "severity": "low", "events": ["file_open"], "match": {"field": "uid", "in": [4242, 4243]}}
]})");
	test::GuardProcess guard({"--rules", rules, "--allow-untrusted-rules", "--alerts-only"});
	REQUIRE(!guard.wait_attached().empty());
	pid_t other = open_as("guardcommother", uid_t(-1), uid_t(-1), file, 0);
	pid_t other_failed = open_as("guardcommother", uid_t(-1), uid_t(-1), missing, 2);
	pid_t effective = open_as("guardcommother", uid_t(-1), 4242, file, -1); // the temp dir may be 0700
	pid_t named_failed = open_as("guardcommtest", uid_t(-1), uid_t(-1), missing, 2);
	pid_t real = open_as("guardcommother", 4242, uid_t(-1), file, 0);
	// Names that end in the first and at the end of the second of the
	// comm's two 8-byte words (the kernel pads the key after the NUL).
	pid_t short_name = open_as("gct", uid_t(-1), uid_t(-1), file, 0);
	pid_t long_name = open_as("guardcommtest15", uid_t(-1), uid_t(-1), file, 0);
	pid_t bound = bind_as("guardcommtest"); // net_* too
	pid_t other_bound = bind_as("guardcommother");
	pid_t named = open_as("guardcommtest", uid_t(-1), uid_t(-1), file, 0);
	REQUIRE(test::alerted(guard, named, "TEST_COMM"));
	guard.stop(SIGTERM);
	std::string output = guard.output_text();
	INFO("output: " << output.substr(0, 4000));
	CHECK(alert_of(output, named_failed, "TEST_COMM"));
	CHECK(alert_of(output, real, "TEST_UID"));
	CHECK(alert_of(output, short_name, "TEST_COMM"));
	CHECK(alert_of(output, long_name, "TEST_COMM"));
	CHECK(alert_of(output, bound, "TEST_COMM"));
	for (pid_t pid : {other, other_failed, effective, other_bound})
		CHECK(output.find("\"pid\":" + std::to_string(pid) + ",") == std::string::npos);
	// The three others held back in the kernel: counted, and not among the
	// opens the engine saw (the five the rules match; an io_uring open
	// elsewhere on the host would pass too: two are let be).
	std::string health = final_health(output);
	INFO("health: " << health);
	CHECK(health_count(health, "filtered", "file_open") >= 3);
	CHECK(health_count(health, "filtered", "net_bind") >= 1);
	CHECK(health_count(health, "events", "file_open") >= 5);
	CHECK(health_count(health, "events", "file_open") <= 7);
}
