// SPDX-License-Identifier: GPL-2.0-or-later
// The engine end to end on built records: enrichment from the process table,
// rule operators, the dropper, alert and event lines, reload, output modes.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <simdjson.h>

#include "engine/addr_text.h"
#include "engine/glob.h"
#include "rules/rules_file.h"
#include "test/support/engine_capture.h"
#include "synthetic/record_builders.h"
#include "synthetic/record_mix.h"

using namespace guard;
using namespace guard::test;
using namespace guard::synthetic;

namespace {

std::unique_ptr<RuleSet> compile(std::string_view text) { return rules::compile_rules_text(text, "t.json").set; }

std::unique_ptr<RuleSet> defaults() { return rules::load_default_rules().set; }

} // namespace

TEST_CASE("events carry parent_comm and parent_exe from the process table")
{
	EngineCapture e(nullptr);
	Task shell{500, 1, "bash", 1};
	Task child{501, 500, "bash", 2};
	e.feed(exec_record(shell, "/usr/bin/bash"));
	e.feed(fork_record(shell, 501));
	child.comm = "ls";
	e.feed(exec_record(child, "/usr/bin/ls", {"ls"}));
	auto lines = e.lines();
	REQUIRE(lines.size() == 3);
	CHECK(lines[2].find("\"parent_comm\":\"bash\",\"parent_exe\":\"/usr/bin/bash\"") != std::string::npos);
	CHECK(lines[2].find("\"rule\"") == std::string::npos);
}

TEST_CASE("alerts carry the ancestry, and ancestor conditions hold at exec")
{
	auto rules = compile(R"({"rules": [{"id": "WEB_SHELL", "severity": "critical", "events": ["exec"],
		"match": {"all": [{"field": "ancestor_comm", "in": ["nginx", "apache2"]},
		                  {"field": "comm", "in": ["sh", "bash"]}]}}]})");
	EngineCapture e(std::move(rules));
	Task init{1, 0, "systemd", 1};
	Task nginx{100, 1, "nginx", 2};
	Task worker{101, 100, "nginx", 3};
	Task sh{102, 101, "sh", 4};
	e.feed(exec_record(init, "/sbin/init"));
	e.feed(exec_record(nginx, "/usr/sbin/nginx"));
	e.feed(fork_record(nginx, 101));
	e.feed(fork_record(worker, 102));
	e.feed(exec_record(sh, "/bin/sh", {"sh", "-c", "id"}));
	Task other{200, 1, "sh", 5};
	e.feed(exec_record(other, "/bin/sh"));
	CHECK(e.alerts("WEB_SHELL") == 1);
	auto lines = e.lines();
	std::string alert;
	for (auto &l : lines)
		if (l.starts_with("{\"type\":\"alert\""))
			alert = l;
	CHECK(alert.find("\"argv\":[\"sh\",\"-c\",\"id\"]") != std::string::npos);
	CHECK(alert.find("\"ancestry\":[{\"pid\":101,\"comm\":\"nginx\",\"exe\":\"/usr/sbin/nginx\"},"
			 "{\"pid\":100,\"comm\":\"nginx\",\"exe\":\"/usr/sbin/nginx\"},"
			 "{\"pid\":1,\"comm\":\"systemd\",\"exe\":\"/sbin/init\"}]") != std::string::npos);
}

TEST_CASE("every operator: equals, in, prefix, suffix, contains, glob, cidr, numbers, not, any")
{
	auto rules = compile(R"({"lists": {"nets": ["192.0.2.0/24", "2001:db8::/32"]}, "rules": [
		{"id": "EQ", "severity": "low", "events": ["exec"], "match": {"field": "path", "equals": "/bin/eq"}},
		{"id": "SUFFIX", "severity": "low", "events": ["exec"], "match": {"field": "path", "suffix": ".sh"}},
		{"id": "CONTAINS", "severity": "low", "events": ["exec"], "match": {"field": "argv", "contains": "base64"}},
		{"id": "GLOB", "severity": "low", "events": ["file_open"], "match": {"field": "path", "glob": "/home/*/.ssh/id_[rde]*"}},
		{"id": "CIDR", "severity": "low", "events": ["net_connect"], "match": {"field": "addr", "cidr": {"list": "nets"}}},
		{"id": "PORT", "severity": "low", "events": ["net_connect"], "match": {"all": [{"field": "port", "ge": 6000}, {"field": "port", "lt": 6010}]}},
		{"id": "PORTS", "severity": "low", "events": ["net_bind"], "match": {"field": "port", "in": [22, 23]}},
		{"id": "ROOT_NOT_BASH", "severity": "low", "events": ["exec"], "match": {"all": [{"field": "uid", "equals": 0}, {"not": {"field": "comm", "equals": "bash"}}]}},
		{"id": "ANY", "severity": "low", "events": ["file_unlink"], "match": {"any": [{"field": "path", "prefix": "/var/log/"}, {"field": "path", "suffix": "_history"}]}},
		{"id": "FAILED", "severity": "low", "events": ["file_open"], "match": {"all": [{"field": "ok", "equals": false}, {"field": "error", "equals": "EPERM"}]}}
	]})");
	EngineCapture e(std::move(rules));
	Task t{700, 1, "bash", 1};
	e.feed(exec_record(t, "/bin/eq"));
	e.feed(exec_record(t, "/bin/eq2"));
	e.feed(exec_record(t, "/opt/run.sh"));
	e.feed(exec_record(t, "/bin/x", {"x", "echo aGk= | base64 -d"}));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/home/ann/.ssh/id_ed25519", {}, 3));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/home/ann/.ssh/known_hosts", {}, 3));
	e.feed(net_record(t, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(192, 0, 2, 77), 80));
	e.feed(net_record(t, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(192, 0, 3, 77), 6005));
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
	e.feed(net_record(t, GUARD_RECORD_NET_CONNECT, AF_INET6, {v6, v6 + 16}, 6010));
	e.feed(net_record(t, GUARD_RECORD_NET_BIND, AF_INET, ipv4(0, 0, 0, 0), 22));
	e.feed(net_record(t, GUARD_RECORD_NET_BIND, AF_INET, ipv4(0, 0, 0, 0), 24));
	Task root{701, 1, "python3", 2};
	auto rec = exec_record(root, "/usr/bin/python3");
	uint32_t zero = 0;
	std::memcpy(rec.data() + offsetof(struct guard_header, uid), &zero, 4);
	e.feed(rec);
	e.feed(file_record(t, GUARD_RECORD_FILE_UNLINK, "/var/log/auth.log", {}, 0));
	e.feed(file_record(t, GUARD_RECORD_FILE_UNLINK, "/root/.bash_history", {}, 0));
	e.feed(file_record(t, GUARD_RECORD_FILE_UNLINK, "/srv/a", {}, 0));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/srv/a", {}, -1));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/srv/a", {}, -13));
	CHECK(e.alerts("EQ") == 1);
	CHECK(e.alerts("SUFFIX") == 1);
	CHECK(e.alerts("CONTAINS") == 1);
	CHECK(e.alerts("GLOB") == 1);
	CHECK(e.alerts("CIDR") == 2);
	CHECK(e.alerts("PORT") == 1);
	CHECK(e.alerts("PORTS") == 1);
	CHECK(e.alerts("ROOT_NOT_BASH") == 1);
	CHECK(e.alerts("ANY") == 2);
	CHECK(e.alerts("FAILED") == 1);
}

TEST_CASE("the dropper: written into a watched place, executed within the window")
{
	EngineCapture e(compile(R"({"rules": [{"id": "DROP", "type": "dropper", "severity": "high",
		"watch": ["/tmp/", "/dev/shm/"], "within_seconds": 10}]})"));
	Task t{800, 1, "curl", 1'000'000'000};
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/tmp/a", {}, 3, O_WRONLY | O_CREAT, GUARD_FILE_MODIFY));
	e.feed(file_record(t, GUARD_RECORD_FILE_RENAME, "/home/u/b", "/dev/shm/b", 0));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/tmp/c", {}, 3, O_RDONLY)); // read: not a write
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/tmp/d", {}, -13, O_WRONLY, GUARD_FILE_MODIFY)); // failed
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/srv/e", {}, 3, O_WRONLY, GUARD_FILE_MODIFY)); // not watched
	Task later{801, 1, "sh", 5'000'000'000};
	e.feed(exec_record(later, "/tmp/a"));
	e.feed(exec_record(later, "/dev/shm/b"));
	e.feed(exec_record(later, "/tmp/c"));
	e.feed(exec_record(later, "/tmp/d"));
	e.feed(exec_record(later, "/srv/e"));
	Task too_late{802, 1, "sh", 20'000'000'000};
	e.feed(exec_record(too_late, "/tmp/a"));
	CHECK(e.alerts("DROP") == 2);
}

TEST_CASE("an event names its most severe match; each match has its own alert")
{
	EngineCapture e(defaults());
	Task t{900, 1, "sh", 1'000'000'000};
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/tmp/x", {}, 3, O_WRONLY | O_CREAT, GUARD_FILE_MODIFY));
	e.feed(exec_record(t, "/tmp/x", {"/tmp/x"}));
	auto lines = e.lines();
	REQUIRE(lines.size() == 4);
	CHECK(lines[1].find("\"rule\":\"DROPPER\",\"severity\":\"high\"") != std::string::npos);
	CHECK(lines[2].find("\"rule\":\"EXEC_FROM_TMP\",\"severity\":\"medium\"") != std::string::npos);
	CHECK(lines[3].find("\"rule\":\"DROPPER\",\"severity\":\"high\"") != std::string::npos);
}

TEST_CASE("alerts only: no event lines")
{
	EngineCapture e(defaults(), {true, 1024});
	Task t{901, 1, "cat", 1};
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/passwd", {}, 3));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/shadow", {}, 3));
	auto lines = e.lines();
	REQUIRE(lines.size() == 1);
	CHECK(lines[0].starts_with("{\"type\":\"alert\",\"time\":\"2023-11-14T22:13:20.000000001Z\",\"rule\":\"SHADOW_READ\""));
}

TEST_CASE("a new rule set swaps in between records; alert counts carry over by id")
{
	EngineCapture e(defaults());
	Task t{902, 1, "cat", 1};
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/shadow", {}, 3));
	e.pipeline().set_rules(compile(R"({"rules": [{"id": "SHADOW_READ", "severity": "low", "events": ["file_open"],
		"match": {"field": "path", "prefix": "/etc/"}}]})"));
	e.feed(file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/passwd", {}, 3));
	e.feed(exec_record(t, "/tmp/x"));
	CHECK(e.alerts("SHADOW_READ") == 2);
	CHECK(e.alerts("EXEC_FROM_TMP") == 0);
	CHECK(e.count_with("\"rule\":\"SHADOW_READ\",\"severity\":\"low\"") == 2);
}

TEST_CASE("every line is valid JSON, whatever bytes the record holds")
{
	EngineCapture e(defaults());
	for (auto &r : record_mix())
		e.feed(r);
	simdjson::dom::parser parser;
	size_t alerts = 0;
	for (const std::string &line : e.lines()) {
		CAPTURE(line);
		simdjson::dom::element doc;
		REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
		std::string_view type;
		REQUIRE(doc["type"].get(type) == simdjson::SUCCESS);
		alerts += type == "alert";
	}
	CHECK(alerts >= 12);
}

TEST_CASE("glob: stars, classes, escapes")
{
	CHECK(glob_match("/home/*/.bashrc", "/home/ann/.bashrc"));
	CHECK(glob_match("*", ""));
	CHECK(glob_match("a*b*c", "aXXbYYc"));
	CHECK_FALSE(glob_match("a*b*c", "aXXbYY"));
	CHECK(glob_match("file.[ch]", "file.c"));
	CHECK_FALSE(glob_match("file.[!ch]", "file.c"));
	CHECK(glob_match("id_[a-f]*", "id_ed25519"));
	CHECK(glob_match("a\\*", "a*"));
	CHECK_FALSE(glob_match("a\\*", "ab"));
	CHECK(glob_match("?", "x"));
	CHECK_FALSE(glob_match("?", ""));
	CHECK_FALSE(glob_valid("a[b"));
	CHECK_FALSE(glob_valid("a\\"));
	CHECK(glob_valid("[]]"));
}

TEST_CASE("addresses print as RFC 5952 says")
{
	auto text = [](uint16_t fam, std::vector<uint8_t> a) {
		a.resize(16);
		char buf[addr_text_max];
		return std::string(buf, write_addr(buf, fam, a.data()));
	};
	CHECK(text(AF_INET, {203, 0, 113, 7}) == "203.0.113.7");
	CHECK(text(AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}) == "::1");
	CHECK(text(AF_INET6, {}) == "::");
	CHECK(text(AF_INET6, {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34}) == "fe80::1234");
	CHECK(text(AF_INET6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}) == "2001:db8:0:1::1");
	CHECK(text(AF_INET6, {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1}) == "2001:db8:1:0:1:1:1:1");
}

TEST_CASE("more than 16 matches on one event: 16 alerts, the rest counted")
{
	std::string text = "{\"rules\": [";
	for (int i = 0; i < 20; i++)
		text += std::string(i ? "," : "") + "{\"id\": \"R" + std::to_string(i) + "\", \"severity\": \"low\", \"events\": [\"exec\"]}";
	text += "]}";
	EngineCapture e(compile(text));
	e.feed(exec_record(Task{}, "/bin/x"));
	CHECK(e.count_with("\"type\":\"alert\"") == 16);
	CHECK(e.pipeline().stats().matches_over_limit == 4);
}

TEST_CASE("glob: the end-of-pattern check never turns down a match")
{
	// Against a plain recursive matcher, on patterns with stars, '?', classes and escapes.
	struct Ref {
		static bool match(std::string_view p, std::string_view t)
		{
			if (p.empty())
				return t.empty();
			if (p[0] == '*')
				return match(p.substr(1), t) || (!t.empty() && match(p, t.substr(1)));
			if (t.empty())
				return false;
			if (p[0] == '?' || p[0] == t[0])
				return match(p.substr(1), t.substr(1));
			return false;
		}
	};
	const char *patterns[] = {"*/.ssh/authorized_keys", "*a?", "a*b*c", "*", "**x", "*?", "/home/*/.bashrc", "?*z*"};
	const char *texts[] = {"/root/.ssh/authorized_keys", "/home/u/.ssh/authorized_keys2", "ab", "abc", "aXbYc", "x", "",
			       "/home/ann/.bashrc", "/home/ann/x/.bashrc", "zz", "az", "/work/.ssh/authorized_key"};
	for (const char *p : patterns)
		for (const char *t : texts)
			CHECK_MESSAGE(glob_match(p, t) == Ref::match(p, t), p, " ", t);
	// Classes and escapes skip the check and still match.
	CHECK(glob_match("*[*]x", "a*x"));
	CHECK(glob_match("*\\*x", "a*x"));
	CHECK_FALSE(glob_match("*\\*x", "a]x"));
}
