// SPDX-License-Identifier: GPL-2.0-or-later
// Every value a rule compares with is checked when the rules load: a value
// no event can have (a misspelt name, a number out of the field's range, a
// comm longer than the kernel keeps, an empty glob range, a NUL) would make
// the rule silently never match. Each is refused at FILE:LINE:COL with the
// nearest valid value. Control bytes never reach the terminal raw.
#include <doctest/doctest.h>

#include <string>

#include "rules/rules_file.h"
#include "test/support/rules_error.h"

using namespace guard;

namespace {

std::string rule(const std::string &events, const std::string &cond)
{
	return R"({"rules": [{"id": "R", "severity": "high", "events": [")" + events + R"("], "match": )" + cond + "}]}";
}

// "r.json:1:COL: " of the first occurrence of needle.
std::string at(const std::string &text, const std::string &needle)
{
	return "r.json:1:" + std::to_string(text.find(needle) + 1) + ": ";
}

struct Bad {
	std::string events, cond, needle, message;
};

} // namespace

TEST_CASE("values no event can have are refused where they are, with the nearest valid one")
{
	const std::vector<Bad> cases = {
		{"file_open", R"({"field": "access", "equals": "readwrite"})", "\"readwrite\"",
		 "\"readwrite\" can never match: \"access\" is one of a fixed set, did you mean \"read_write\"?"},
		{"file_open", R"({"field": "access", "prefix": "rw"})", "\"rw\"", "\"rw\" can never match"},
		{"net_connect", R"({"field": "family", "in": ["inet", "ipx"]})", "\"ipx\"",
		 "\"ipx\" can never match: \"family\" is one of a fixed set (expected one of: inet, inet6, unix, other)"},
		{"net_connect", R"({"field": "error", "equals": "ENOTANERRNO"})", "\"ENOTANERRNO\"",
		 "\"ENOTANERRNO\" can never match: \"error\" is one of a fixed set"},
		{"net_connect", R"({"field": "error", "equals": "ECONNREFUSD"})", "\"ECONNREFUSD\"", "did you mean \"ECONNREFUSED\"?"},
		{"exec", R"({"field": "comm", "equals": "averyveryverylongname"})", "\"averyveryverylongname\"",
		 "\"averyveryverylongname\" can never match: \"comm\" holds at most 15 bytes (the kernel keeps the first 15 of a "
		 "command's name), did you mean \"averyveryverylo\"?"},
		{"exec", R"({"field": "parent_comm", "prefix": "0123456789abcdef"})", "\"0123456789abcdef\"", "holds at most 15 bytes"},
		{"exec", R"({"field": "ancestor_comm", "glob": "*0123456789abcdef*"})", "\"*0123456789abcdef*\"", "holds at most 15 bytes"},
		{"net_connect", R"({"field": "port", "equals": 70000})", "70000",
		 "\"port\": 70000 is out of range: expected 0 to 65535 (a TCP or UDP port), the nearest is 65535"},
		{"net_connect", R"({"field": "port", "in": [22, -1]})", "-1", "\"port\": -1 is out of range: expected 0 to 65535 (a TCP or UDP port), the nearest is 0"},
		{"net_connect", R"({"field": "port", "gt": 65536})", "65536", "\"port\": 65536 is out of range"},
		{"exec", R"({"field": "uid", "equals": 4294967296})", "4294967296", "\"uid\": 4294967296 is out of range: expected 0 to 4294967295 (a user id)"},
		{"exec", R"({"field": "uid", "equals": 18446744073709551615})", "18446744073709551615",
		 "\"uid\": 18446744073709551615 is out of range: expected 0 to 4294967295"},
		{"exec", R"({"field": "cgroup_id", "gt": 18446744073709551615})", "18446744073709551615",
		 "a comparison takes a bound up to 9223372036854775807"},
		{"exec_failed", R"({"field": "errno", "equals": 5000})", "5000", "\"errno\": 5000 is out of range: expected 0 to 4095"},
		{"file_chown", R"({"field": "owner_uid", "equals": -2})", "-2", "the nearest is -1"},
		{"file_chmod", R"({"field": "mode", "equals": 4096})", "4096", "expected 0 to 4095 (permission bits)"},
		{"exit", R"({"field": "exit_code", "equals": 256})", "256", "expected 0 to 255 (an exit status)"},
		{"exec", R"({"field": "path", "glob": "/tmp/[z-a]*"})", "\"/tmp/[z-a]*\"",
		 "\"glob\": malformed pattern \"/tmp/[z-a]*\": the range z-a is empty, did you mean a-z?"},
		{"exec", R"({"field": "path", "glob": "/tmp/[ab"})", "\"/tmp/[ab\"", "malformed pattern \"/tmp/[ab\": unclosed '['"},
		{"exec", R"({"field": "path", "equals": "/tmp/a\u0000b"})", "\"/tmp/a\\u0000b\"",
		 "\"/tmp/a\\x00b\" holds a NUL byte: no value of \"path\" does"},
		{"exec", R"({"field": "argv", "contains": "\u0000"})", "\"\\u0000\"", "holds a NUL byte"},
	};
	for (const Bad &c : cases) {
		std::string text = rule(c.events, c.cond);
		CAPTURE(text);
		std::string err = test::rules_error(text);
		CAPTURE(err);
		CHECK(err.starts_with(at(text, c.needle)));
		CHECK(err.find(c.message) != std::string::npos);
	}
}

TEST_CASE("the values at the edges of each range, and 64-bit ids, are accepted")
{
	for (const char *ok : {R"({"field": "port", "in": [0, 65535]})", R"({"field": "uid", "equals": 4294967295})",
			       R"({"field": "cgroup_id", "equals": 18446744073709551615})", R"({"field": "family", "in": ["inet", "inet6", "unix", "other"]})",
			       R"({"field": "error", "in": ["EACCES", "ENETUNREACH", "ECONNREFUSED"]})", R"({"field": "error", "glob": "ECONN*"})",
			       R"({"field": "comm", "equals": "exactly15bytes!"})", R"({"field": "addr", "cidr": "10.0.0.0/8"})"}) {
		std::string text = rule("net_connect", ok);
		CAPTURE(text);
		CHECK(test::rules_error(text) == "");
	}
}

TEST_CASE("control bytes in a rules file are escaped in errors and in the listing")
{
	std::string err = test::rules_error(R"({"rules": [{"id": "R", "severity": "\u001b[2Jhigh", "events": ["exec"]}]})");
	CHECK(err.find('\x1b') == std::string::npos);
	CHECK(err.find("unknown severity \"\\x1b[2Jhigh\"") != std::string::npos);

	auto loaded = rules::compile_rules_text(
		R"({"rules": [{"id": "R", "severity": "high", "description": "bell\u0007 and\nnewline", "events": ["exec"],
		    "match": {"field": "path", "prefix": "/tmp/\u001b]0;owned\u0007"}}]})",
		"r.json");
	std::string listing = rules::describe_rules(*loaded.set);
	CAPTURE(listing);
	CHECK(listing.find('\x1b') == std::string::npos);
	CHECK(listing.find('\x07') == std::string::npos);
	CHECK(listing.find("R [high] bell\\x07 and\\x0anewline\n") != std::string::npos);
	CHECK(listing.find("path prefix [\"/tmp/\\x1b]0;owned\\x07\"]") != std::string::npos);
	CHECK(rules::printable(std::string("a\0b\x7f", 4)) == "a\\x00b\\x7f");
}
