// SPDX-License-Identifier: GPL-2.0-or-later
// Forwarding into a real rsyslog (Debian's, installed by make deps): the
// test starts rsyslogd itself (foreground, its own config, pid file and work
// directory in a temp dir; TCP and UDP on loopback ports, a unix socket in
// the temp dir), runs guard with --syslog to all three at once, restarts
// rsyslog in the middle, and checks that what rsyslog wrote is what guard
// emitted: every line, intact, valid JSON (TCP and the unix socket: all of
// them, in order; UDP: a subset, as UDP is), with sent + dropped = emitted.
// One guard run (about 3 s), quiet apart from the test's own alerts
// (--alerts-only with a rule that matches only the test's commands).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include "engine/host_identity.h"
#include "test/support/e2e_support.h"
#include "test/support/temp_dir.h"

using namespace guard;
using namespace std::chrono_literals;

namespace {

constexpr const char *kRsyslogd = "/usr/sbin/rsyslogd";

uint16_t free_port(int type)
{
	int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
	struct sockaddr_in a {};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a));
	::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
	::close(fd);
	return ntohs(a.sin_port);
}

bool tcp_listening(uint16_t port)
{
	int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a {};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0;
	::close(fd);
	return ok;
}

std::vector<std::string> lines_of(const std::string &text)
{
	std::vector<std::string> lines;
	std::istringstream in(text);
	for (std::string l; std::getline(in, l);)
		lines.push_back(l);
	return lines;
}

bool wait_for(const std::function<bool()> &done, std::chrono::milliseconds limit = 5s)
{
	for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;
	     std::this_thread::sleep_for(10ms))
		if (done())
			return true;
	return done();
}

// rsyslogd in the foreground with the test's config: what each input
// receives, one message's MSG a line, in its own file; for TCP also the
// header fields rsyslog parsed, in another.
struct Rsyslog {
	test::TempDir dir{"guard-rsyslog"};
	uint16_t tcp_port = free_port(SOCK_STREAM), udp_port = free_port(SOCK_DGRAM);
	pid_t pid = -1;

	Rsyslog()
	{
		std::filesystem::create_directory(dir.path + "/work");
		const std::string &d = dir.path;
		dir.write("rsyslog.conf",
			  "global(workDirectory=\"" + d + "/work\" maxMessageSize=\"1m\")\n"
			  "module(load=\"imtcp\")\nmodule(load=\"imudp\")\nmodule(load=\"imuxsock\" SysSock.Use=\"off\")\n"
			  "template(name=\"json\" type=\"string\" string=\"%msg%\\n\")\n"
			  "template(name=\"header\" type=\"string\" string=\"%hostname% %app-name% %procid% %msgid% "
			  "%syslogseverity% %structured-data%\\n\")\n"
			  "ruleset(name=\"tcp\") {\n"
			  "  action(type=\"omfile\" file=\"" + d + "/tcp.log\" template=\"json\")\n"
			  "  action(type=\"omfile\" file=\"" + d + "/tcp-header.log\" template=\"header\")\n}\n"
			  "ruleset(name=\"udp\") { action(type=\"omfile\" file=\"" + d + "/udp.log\" template=\"json\") }\n"
			  "ruleset(name=\"unix\") { action(type=\"omfile\" file=\"" + d + "/unix.log\" template=\"json\") }\n"
			  "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + std::to_string(tcp_port) + "\" ruleset=\"tcp\")\n"
			  "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" + std::to_string(udp_port) + "\" ruleset=\"udp\")\n"
			  "input(type=\"imuxsock\" socket=\"" + d + "/log.sock\" ruleset=\"unix\" useSpecialParser=\"off\" "
			  "parseHostname=\"on\")\n");
	}
	~Rsyslog() { stop(); }

	void start()
	{
		pid = ::fork();
		if (pid == 0) {
			std::string conf = dir.path + "/rsyslog.conf", pidfile = dir.path + "/rsyslogd.pid";
			::execl(kRsyslogd, kRsyslogd, "-n", "-f", conf.c_str(), "-i", pidfile.c_str(), nullptr);
			_exit(127);
		}
		REQUIRE(wait_for([&] { return tcp_listening(tcp_port) && std::filesystem::exists(dir.path + "/log.sock"); }));
	}
	void stop()
	{
		if (pid <= 0)
			return;
		::kill(pid, SIGTERM);
		::waitpid(pid, nullptr, 0);
		pid = -1;
	}
	std::string text(const std::string &name) const { return test::read_text(dir.path + "/" + name); }
	std::string url(const std::string &scheme) const
	{
		if (scheme == "unix")
			return "unix://" + dir.path + "/log.sock";
		return scheme + "://127.0.0.1:" + std::to_string(scheme == "tcp" ? tcp_port : udp_port);
	}
};

// "emitted=E sent=S dropped=D" of one output in guard's exit summary.
struct Counts {
	uint64_t emitted = 0, sent = 0, dropped = 0;
};
Counts counts_of(const std::string &stderr_text, const std::string &url)
{
	Counts c;
	std::string prefix = "guard: syslog " + url + ": ";
	size_t at = stderr_text.find(prefix + "emitted=");
	REQUIRE_MESSAGE(at != std::string::npos, stderr_text);
	std::sscanf(stderr_text.c_str() + at + prefix.size(), "emitted=%lu sent=%lu dropped=%lu", &c.emitted, &c.sent,
		    &c.dropped);
	return c;
}

void exec_marker(const std::string &marker) { test::run_and_wait("/bin/true", {marker}); }

} // namespace

TEST_CASE("--syslog to a real rsyslog over TCP, UDP and a unix socket at once, across an rsyslog restart")
{
	REQUIRE(test::running_as_root());
	REQUIRE_MESSAGE(std::filesystem::exists(kRsyslogd), "rsyslog is not installed: make deps installs it");
	Rsyslog rsyslog;
	rsyslog.start();
	test::TempDir dir;
	std::string rules = dir.write("rules.json",
				      R"({"rules": [{"id": "FORWARD_MARK", "description": "the forwarding test's command",
				      "severity": "high", "events": ["exec"], "match": {"field": "argv", "contains": "guard-fwd-"}}]})");
	test::GuardProcess guard({"--rules", rules, "--allow-untrusted-rules", "--alerts-only", "--host-fields",
				  "--disable", "file", "--disable", "network", "--disable", "io_uring", "--syslog",
				  rsyslog.url("tcp"), "--syslog", rsyslog.url("udp"), "--syslog", rsyslog.url("unix")});
	REQUIRE_MESSAGE(!guard.wait_attached().empty(), guard.stderr_text());
	auto received = [&](const char *file, const std::string &marker) {
		return wait_for([&] { return rsyslog.text(file).find(marker) != std::string::npos; });
	};

	exec_marker("guard-fwd-1");
	CHECK(received("tcp.log", "guard-fwd-1"));
	CHECK(received("unix.log", "guard-fwd-1"));
	// rsyslog away: the line waits in the queue (TCP, unix socket), and
	// goes once rsyslog is back.
	rsyslog.stop();
	exec_marker("guard-fwd-2");
	CHECK(guard.find_line([](const std::string &l) { return l.find("guard-fwd-2") != std::string::npos; }));
	rsyslog.start();
	CHECK(received("tcp.log", "guard-fwd-2"));
	exec_marker("guard-fwd-3");
	CHECK(received("tcp.log", "guard-fwd-3"));
	CHECK(received("udp.log", "guard-fwd-3"));
	CHECK(received("unix.log", "guard-fwd-3"));
	pid_t guard_pid = guard.pid();
	CHECK(guard.stop(SIGINT) == 0);
	INFO("stderr: " << guard.stderr_text());

	// What guard emitted: its output file, which never failed.
	std::vector<std::string> emitted = lines_of(guard.output_text());
	const std::vector<std::string> &emitted_lines = emitted;
	REQUIRE(emitted.size() >= 4); // three alerts and the final health record
	for (std::string scheme : {"tcp", "unix"}) {
		CAPTURE(scheme);
		Counts c = counts_of(guard.stderr_text(), rsyslog.url(scheme));
		CHECK(c.emitted == emitted.size());
		CHECK(c.sent + c.dropped == c.emitted);
		CHECK(c.dropped == 0);
		std::string file = scheme + ".log";
		CHECK(wait_for([&] { return lines_of(rsyslog.text(file)).size() >= c.sent; }));
		CHECK(lines_of(rsyslog.text(file)) == emitted);
	}
	Counts udp = counts_of(guard.stderr_text(), rsyslog.url("udp"));
	CHECK(udp.emitted == emitted.size());
	CHECK(udp.sent + udp.dropped == udp.emitted);
	for (const std::string &l : lines_of(rsyslog.text("udp.log")))
		CHECK(std::find(emitted.begin(), emitted.end(), l) != emitted.end());

	// Each line is JSON, with the host's fields; the health record has the boot id.
	HostIdentity host = read_host_identity();
	simdjson::dom::parser parser;
	for (const std::string &l : emitted) {
		simdjson::dom::element doc;
		REQUIRE(parser.parse(l).get(doc) == simdjson::SUCCESS);
		std::string_view v;
		CHECK((doc["host"].get_string().get(v) == simdjson::SUCCESS && v == host.hostname));
		CHECK(doc["machine_id"].error() == (host.machine_id.empty() ? simdjson::NO_SUCH_FIELD : simdjson::SUCCESS));
		if (doc["type"].get_string().get(v) != simdjson::SUCCESS || v != "health")
			continue;
		CHECK((doc["boot_id"].get_string().get(v) == simdjson::SUCCESS && v == host.boot_id));
		// The final health record: each output's counts of the lines before it.
		simdjson::dom::array outputs;
		REQUIRE(doc["forward"].get_array().get(outputs) == simdjson::SUCCESS);
		CHECK(outputs.size() == 3);
		for (simdjson::dom::element o : outputs) {
			uint64_t emitted = 0, sent = 0, dropped = 0, queued = 0;
			CHECK(o["emitted"].get_uint64().get(emitted) == simdjson::SUCCESS);
			CHECK(o["sent"].get_uint64().get(sent) == simdjson::SUCCESS);
			CHECK(o["dropped"].get_uint64().get(dropped) == simdjson::SUCCESS);
			CHECK(o["queued"].get_uint64().get(queued) == simdjson::SUCCESS);
			CHECK(emitted == emitted_lines.size() - 1);
			CHECK(emitted == sent + dropped + queued);
		}
	}
	// And rsyslog read the RFC 5424 header as guard meant it.
	std::string header = lines_of(rsyslog.text("tcp-header.log")).front();
	CHECK(header == host.hostname + " guard " + std::to_string(guard_pid) +
				" alert 3 [guard@32473 rule=\"FORWARD_MARK\" severity=\"high\"]");
}
