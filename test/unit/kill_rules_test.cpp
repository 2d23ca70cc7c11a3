// SPDX-License-Identifier: GPL-2.0-or-later
// Kill rules without the kernel: which conditions a kill rule may have (only
// what kern/enforce.bpf.h checks), the tables the agent writes for them,
// and what their alerts say.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <string>

#include "engine/alert_json.h"
#include "engine/kill_table.h"
#include "rules/rules_file.h"
#include "test/support/rules_error.h"
#include "test/support/temp_dir.h"

using namespace guard;

namespace {

std::string kill_rule(const std::string &events, const std::string &match)
{
	return R"({"rules": [{"id": "K", "severity": "high", "action": "kill", "events": )" + events +
	       (match.empty() ? "" : ", \"match\": " + match) + "}]}";
}

} // namespace

TEST_CASE("a kill rule may only test what the kernel checks")
{
	struct Bad {
		std::string text;
		const char *message;
	};
	const Bad cases[] = {
		{kill_rule(R"(["exec"])", R"({"field": "path", "prefix": "/tmp/"})"), "the kernel checks only"},
		{kill_rule(R"(["exec"])", R"({"field": "comm", "equals": "nc"})"), "the kernel checks only"},
		{kill_rule(R"(["exec"])", R"({"all": [{"field": "path", "equals": "/bin/nc"}, {"field": "uid", "equals": 0}]})"),
		 "the kernel checks only"},
		{kill_rule(R"(["exec"])", R"({"not": {"field": "path", "equals": "/bin/nc"}})"), "the kernel checks only"},
		{kill_rule(R"(["exec"])", ""), "needs a \"match\""},
		{kill_rule(R"(["exec_failed"])", R"({"field": "path", "equals": "/bin/nc"})"), "exec, file_open and net_connect only"},
		{kill_rule(R"(["file_unlink"])", R"({"field": "path", "equals": "/etc/shadow"})"), "exec, file_open and net_connect only"},
		{kill_rule(R"(["exec"])", R"({"field": "path", "equals": "nc"})"), "\"nc\" is not an absolute path"},
		{kill_rule(R"(["net_connect"])", R"({"field": "port", "equals": 22})"), "the kernel checks only"},
		{R"({"rules": [{"id": "K", "severity": "high", "action": "kil", "events": ["exec"]}]})", "did you mean \"kill\""},
		{R"({"rules": [{"id": "K", "severity": "high", "action": 1, "events": ["exec"]}]})", "\"action\""},
	};
	for (const Bad &b : cases) {
		CAPTURE(b.text);
		std::string error = test::rules_error(b.text);
		CHECK(error.find("r.json:1:") == 0);
		CHECK(error.find(b.message) != std::string::npos);
	}
}

TEST_CASE("a kill rule's tables: file identities in the kernel's dev_t, prefixes by family")
{
	test::TempDir dir;
	std::string secret = dir.write("secret", "x");
	std::string text = R"({"rules": [
 {"id": "A", "severity": "high", "action": "kill", "events": ["exec", "file_open"],
  "match": {"any": [{"field": "path", "in": [")" + secret + R"(", "/nonexistent/file"]}]}},
 {"id": "B", "severity": "high", "action": "kill", "events": ["net_connect"],
  "match": {"field": "addr", "cidr": ["192.0.2.0/24", "2001:db8::/32"]}},
 {"id": "C", "severity": "high", "events": ["file_open"], "match": {"field": "path", "prefix": "/etc/"}}
]})";
	rules::LoadedRules loaded = rules::compile_rules_text(text, "r.json");
	KillTable t = build_kill_table(*loaded.set);
	struct stat st {};
	REQUIRE(::stat(secret.c_str(), &st) == 0);
	uint64_t dev = (uint64_t(major(st.st_dev)) << 20) | minor(st.st_dev);
	// The path that does not exist has no entry; the one that does, one per kind.
	REQUIRE(t.files.size() == 2);
	CHECK(t.files[0].kind == GUARD_KILL_EXEC);
	CHECK(t.files[1].kind == GUARD_KILL_OPEN);
	for (const KillFile &f : t.files) {
		CHECK(f.dev == dev);
		CHECK(f.ino == st.st_ino);
	}
	REQUIRE(t.cidrs.size() == 2);
	CHECK((t.cidrs[0].len == 4 && t.cidrs[0].prefix == 24 && t.cidrs[0].bytes[0] == 192));
	CHECK((t.cidrs[1].len == 16 && t.cidrs[1].prefix == 32 && t.cidrs[1].bytes[0] == 0x20));
	CHECK(t.kinds == (GUARD_KILL_EXEC | GUARD_KILL_OPEN | GUARD_KILL_CONNECT));
	// guard rules check says which rules kill.
	std::string described = rules::describe_rules(*loaded.set);
	CHECK(described.find("B [high]\n  on: net_connect\n  when: addr cidr [192.0.2.0/24, 2001:db8::/32]\n  action: kill") !=
	      std::string::npos);
	CHECK(described.find("C [high]\n  on: file_open\n  when: path prefix [\"/etc/\"]\n") != std::string::npos);

	// The alert's action: what the kernel did, for kill rules only.
	struct guard_header h {};
	CHECK(std::string(alert_action(loaded.set->rules[0], h)) == "would_kill");
	h.flags = GUARD_KILLED;
	CHECK(std::string(alert_action(loaded.set->rules[0], h)) == "killed");
	CHECK(alert_action(loaded.set->rules[2], h) == nullptr);
}

TEST_CASE("a rule set with no kill rule makes empty tables")
{
	rules::LoadedRules loaded = rules::compile_rules_text(
		R"({"rules": [{"id": "A", "severity": "high", "action": "alert", "events": ["exec"], "match": {"field": "path", "equals": "/bin/sh"}}]})",
		"r.json");
	KillTable t = build_kill_table(*loaded.set);
	CHECK(t.files.empty());
	CHECK(t.cidrs.empty());
	CHECK(t.kinds == 0);
}
