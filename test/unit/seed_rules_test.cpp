// SPDX-License-Identifier: GPL-2.0-or-later
// The mini-EDR seed's config/rules.json, loaded unchanged, behaves as its
// author described: EXEC_FROM_TMP, SHADOW_READ, SUSPICIOUS_CONNECT.
#include <doctest/doctest.h>

#include <fcntl.h>

#include "rules/compile.h"
#include "rules/rules_file.h"
#include "test/support/seed_rules.h"
#include "test/support/engine_capture.h"
#include "synthetic/record_builders.h"

using namespace guard;
using namespace guard::test;
using namespace guard::synthetic;

namespace {


std::vector<uint8_t> v6(std::string_view text)
{
	Cidr c;
	REQUIRE(rules::parse_cidr(text, c, false));
	return {c.bytes, c.bytes + 16};
}

} // namespace

TEST_CASE("the seed's rules.json loads unchanged, with its output section")
{
	auto loaded = rules::compile_rules_text(kSeedRules, "config/rules.json");
	REQUIRE(loaded.set);
	REQUIRE(loaded.set->rules.size() == 3);
	CHECK(loaded.set->rules[0].id == "EXEC_FROM_TMP");
	CHECK(loaded.set->rules[0].severity == Severity::medium);
	CHECK(loaded.set->rules[1].id == "SHADOW_READ");
	CHECK(loaded.set->rules[1].severity == Severity::high);
	CHECK(loaded.set->rules[2].id == "SUSPICIOUS_CONNECT");
	REQUIRE(loaded.output);
	CHECK(loaded.output->to_file);
	CHECK(loaded.output->path == "./log/events.jsonl");
}

TEST_CASE("EXEC_FROM_TMP: medium, for binaries executed from the temporary directories")
{
	EngineCapture e(rules::compile_rules_text(kSeedRules, "rules.json").set);
	Task t;
	e.feed(exec_record(t, "/tmp/mini-edr-test-echo", {"/tmp/mini-edr-test-echo"}));
	e.feed(exec_record(t, "/dev/shm/x"));
	e.feed(exec_record(t, "/var/tmp/y"));
	e.feed(exec_record(t, "/usr/bin/tmp/z"));
	e.feed(exec_record(t, "/tmpfoo/z"));
	auto lines = e.lines();
	CHECK(e.alerts("EXEC_FROM_TMP") == 3);
	CHECK(lines[0].find("\"rule\":\"EXEC_FROM_TMP\",\"severity\":\"medium\"") != std::string::npos);
	CHECK(e.count_with("\"type\":\"exec\"") == 5);
}

TEST_CASE("SHADOW_READ: high, and the alert tells an attempt from a success")
{
	EngineCapture e(rules::compile_rules_text(kSeedRules, "rules.json").set);
	Task t;
	t.comm = "cat";
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/shadow", {}, 3, O_RDONLY));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/shadow", {}, -13, O_RDONLY));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/shadow-", {}, 3, O_RDONLY));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/passwd", {}, 3, O_RDONLY));
	CHECK(e.alerts("SHADOW_READ") == 2);
	CHECK(e.count_with("\"type\":\"alert\",") == 2);
	CHECK(e.count_with("\"rule\":\"SHADOW_READ\",\"severity\":\"high\",") == 2);
	CHECK(e.count_with("\"event\":\"file_open\"") == 2);
	CHECK(e.alerts_with("\"path\":\"/etc/shadow\",\"ok\":true") == 1);
	CHECK(e.alerts_with("\"access\":\"read\"") == 2);
	CHECK(e.alerts_with("\"ok\":false,\"errno\":13,\"error\":\"EACCES\"") == 1);
}

TEST_CASE("SUSPICIOUS_CONNECT: listed processes connecting outside private ranges, v4 and v6")
{
	EngineCapture e(rules::compile_rules_text(kSeedRules, "rules.json").set);
	Task sh;
	sh.comm = "sh";
	Task curl;
	curl.comm = "curl";
	auto connect = [&](const Task &t, uint16_t fam, std::vector<uint8_t> a) {
		e.feed(net_record(t, GUARD_RECORD_NET_CONNECT, fam, std::move(a), 4444, -101));
	};
	connect(sh, AF_INET, ipv4(203, 0, 113, 7));     // outside: alert
	connect(sh, AF_INET, ipv4(127, 0, 0, 1));       // loopback
	connect(sh, AF_INET, ipv4(10, 1, 2, 3));        // 10/8
	connect(sh, AF_INET, ipv4(172, 16, 0, 1));      // 172.16/12
	connect(sh, AF_INET, ipv4(172, 32, 0, 1));      // just outside 172.16/12: alert
	connect(sh, AF_INET, ipv4(192, 168, 1, 1));     // 192.168/16
	connect(curl, AF_INET, ipv4(203, 0, 113, 7));   // not a listed process
	connect(sh, AF_INET6, v6("2001:db8::1"));       // outside: alert
	connect(sh, AF_INET6, v6("::1"));               // loopback
	connect(sh, AF_INET6, v6("fe80::1"));           // link-local
	connect(sh, AF_INET6, v6("fd00::1"));           // ULA
	e.feed(net_record(sh, GUARD_RECORD_NET_CONNECT, AF_UNIX, {}, 0));
	CHECK(e.alerts("SUSPICIOUS_CONNECT") == 3);
	CHECK(e.alerts_with("\"family\":\"inet\",\"addr\":\"203.0.113.7\",\"port\":4444,\"ok\":false,\"errno\":101,\"error\":\"ENETUNREACH\"") == 1);
	CHECK(e.count_with("\"addr\":\"172.32.0.1\"") >= 1);
	CHECK(e.count_with("\"addr\":\"2001:db8::1\"") >= 1);
}

TEST_CASE("a seed rule with \"enabled\": false is off")
{
	std::string text(kSeedRules);
	text.replace(text.find("true"), 4, "false");
	auto loaded = rules::compile_rules_text(text, "rules.json");
	CHECK(loaded.set->rules.size() == 2);
	CHECK(loaded.set->rules[0].id == "SHADOW_READ");
}
