// SPDX-License-Identifier: GPL-2.0-or-later
// The sequence and threshold rule types on built records: which events
// count together (by process, parent, tree), the window, `same`, either
// order, a threshold's reset after it fires, the fixed tables' evictions,
// and the built-in rules made of them.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/socket.h>

#include "engine/correlation.h"
#include "rules/rules_file.h"
#include "test/support/engine_capture.h"
#include "synthetic/record_builders.h"

using namespace guard;
using namespace guard::test;
using namespace guard::synthetic;

namespace {

std::unique_ptr<RuleSet> compile(std::string_view text) { return rules::compile_rules_text(text, "t.json").set; }

constexpr uint64_t s = 1'000'000'000;

std::vector<uint8_t> chmod_x(const Task &t, std::string_view path)
{
	return with_file_mode(file_record(t, GUARD_RECORD_FILE_CHMOD, path, {}, 0), 0755);
}

const char *chmod_then_run = R"({"rules": [{"id": "SEQ", "type": "sequence", "severity": "medium",
	"by": "tree", "within_seconds": 10, "same": "path",
	"steps": [{"events": ["file_chmod"], "match": {"field": "mode", "any_bits": 73}},
	          {"events": ["exec"], "match": {"field": "path", "prefix": "/tmp/"}}]}]})";

} // namespace

TEST_CASE("sequence by tree: the first step, then the second by the same process, a sibling or a child, same path, in the window")
{
	EngineCapture e(compile(chmod_then_run));
	e.feed(chmod_x(Task{101, 100, "chmod", 1 * s}, "/tmp/a"));
	e.feed(exec_record(Task{102, 100, "a", 2 * s}, "/tmp/a", {"/tmp/a"})); // a sibling: both children of 100
	CHECK(e.alerts("SEQ") == 1);
	e.feed(exec_record(Task{103, 100, "a", 3 * s}, "/tmp/a", {"/tmp/a"})); // the first step was used
	CHECK(e.alerts("SEQ") == 1);
	e.feed(chmod_x(Task{200, 50, "python3", 4 * s}, "/tmp/b"));
	e.feed(exec_record(Task{201, 200, "b", 5 * s}, "/tmp/b", {"/tmp/b"})); // a child of the chmod's process
	CHECK(e.alerts("SEQ") == 2);
	e.feed(chmod_x(Task{300, 60, "chmod", 6 * s}, "/tmp/c"));
	e.feed(exec_record(Task{400, 70, "c", 7 * s}, "/tmp/c", {"/tmp/c"})); // another tree
	e.feed(exec_record(Task{301, 60, "d", 7 * s}, "/tmp/d", {"/tmp/d"})); // another path
	e.feed(exec_record(Task{302, 60, "c", 17 * s}, "/tmp/c", {"/tmp/c"})); // too late
	e.feed(exec_record(Task{303, 60, "c", 5 * s}, "/tmp/c", {"/tmp/c"})); // before the first step
	CHECK(e.alerts("SEQ") == 2);
	e.feed(exec_record(Task{500, 80, "e", 20 * s}, "/tmp/e", {"/tmp/e"})); // the second step first: ordered
	e.feed(chmod_x(Task{501, 80, "chmod", 21 * s}, "/tmp/e"));
	CHECK(e.alerts("SEQ") == 2);
}

TEST_CASE("sequence by parent in either order; by process")
{
	EngineCapture e(compile(R"({"rules": [
		{"id": "EITHER", "type": "sequence", "severity": "low", "by": "parent", "within_seconds": 1, "ordered": false,
		 "steps": [{"events": ["exec"], "match": {"field": "comm", "equals": "base64"}},
		           {"events": ["exec"], "match": {"field": "comm", "equals": "sh"}}]},
		{"id": "SAME_PROCESS", "type": "sequence", "severity": "low", "by": "process", "within_seconds": 5,
		 "steps": [{"events": ["file_open"], "match": {"field": "path", "equals": "/etc/passwd"}},
		           {"events": ["net_connect"]}]}]})"));
	e.feed(exec_record(Task{11, 10, "sh", 1 * s}, "/bin/sh", {"sh"}));
	e.feed(exec_record(Task{12, 10, "base64", 1 * s + 500'000'000}, "/usr/bin/base64", {"base64", "-d"}));
	CHECK(e.alerts("EITHER") == 1);
	e.feed(exec_record(Task{13, 10, "base64", 3 * s}, "/usr/bin/base64", {"base64", "-d"}));
	e.feed(exec_record(Task{14, 99, "sh", 3 * s}, "/bin/sh", {"sh"})); // another parent
	e.feed(exec_record(Task{15, 13, "sh", 3 * s}, "/bin/sh", {"sh"})); // the decoder's child, not its sibling
	e.feed(exec_record(Task{16, 10, "sh", 5 * s}, "/bin/sh", {"sh"})); // 2 s later
	CHECK(e.alerts("EITHER") == 1);
	Task p{20, 1, "x", 1 * s}, other{21, 20, "y", 2 * s};
	e.feed(file_record(p, GUARD_RECORD_FILE_OPEN, "/etc/passwd", {}, 3, O_RDONLY));
	e.feed(net_record(other, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(192, 0, 2, 1), 80));
	CHECK(e.alerts("SAME_PROCESS") == 0);
	e.feed(net_record(p, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(192, 0, 2, 1), 80));
	CHECK(e.alerts("SAME_PROCESS") == 1);
}

TEST_CASE("threshold: N distinct values by one group in the window, then counting afresh")
{
	EngineCapture e(compile(R"({"rules": [{"id": "SCAN", "type": "threshold", "severity": "low",
		"events": ["net_connect"], "distinct": ["addr", "port"], "count": 3, "by": "process", "within_seconds": 10}]})"));
	Task t{30, 1, "nc", 1 * s};
	for (uint16_t port : {80, 80, 81, 80}) // two distinct
		e.feed(net_record(t, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(127, 0, 0, 1), port));
	e.feed(net_record(Task{31, 1, "nc", 1 * s}, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(127, 0, 0, 1), 82)); // another process
	CHECK(e.alerts("SCAN") == 0);
	e.feed(net_record(t, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(127, 0, 0, 2), 80)); // another host: the third pair
	CHECK(e.alerts("SCAN") == 1);
	e.feed(net_record(t, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(127, 0, 0, 1), 83)); // afresh: one
	e.feed(net_record(t, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(127, 0, 0, 1), 84));
	CHECK(e.alerts("SCAN") == 0 + 1);
	Task later{30, 1, "nc", 30 * s}; // the two above have left the window
	e.feed(net_record(later, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(127, 0, 0, 1), 85));
	e.feed(net_record(later, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(127, 0, 0, 1), 86));
	CHECK(e.alerts("SCAN") == 1);
	e.feed(net_record(later, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(127, 0, 0, 1), 87));
	CHECK(e.alerts("SCAN") == 2);
}

TEST_CASE("threshold by tree: tools run by one shell count together")
{
	EngineCapture e(compile(R"({"rules": [{"id": "SWEEP", "type": "threshold", "severity": "low", "events": ["exec"],
		"match": {"field": "comm", "in": ["id", "whoami", "uname"]}, "distinct": "comm", "count": 3, "by": "tree",
		"within_seconds": 30}]})"));
	uint32_t pid = 41;
	for (const char *tool : {"id", "id", "ls", "whoami"})
		e.feed(exec_record(Task{pid++, 40, tool, 1 * s}, "/usr/bin/x", {tool}));
	e.feed(exec_record(Task{pid++, 1, "uname", 1 * s}, "/usr/bin/uname", {"uname"})); // init's child: no tree
	CHECK(e.alerts("SWEEP") == 0);
	e.feed(exec_record(Task{pid++, 40, "uname", 2 * s}, "/usr/bin/uname", {"uname"}));
	CHECK(e.alerts("SWEEP") == 1);
}

TEST_CASE("a full table forgets the oldest and counts it")
{
	Field distinct[2] = {Field::port, no_field};
	ThresholdRule t({}, GroupBy::process, distinct, 2, 10 * s, 1);
	uint64_t groups[1];
	for (uint64_t g = 1; g <= 4; g++) {
		groups[0] = g;
		CHECK_FALSE(t.observe(groups, 1, 7, g * s));
	}
	CHECK(t.evicted() == 0);
	groups[0] = 5; // a fifth group in one set of 4 ways: group 1 goes
	CHECK_FALSE(t.observe(groups, 1, 7, 5 * s));
	CHECK(t.evicted() == 1);
	groups[0] = 1;
	CHECK_FALSE(t.observe(groups, 1, 8, 6 * s)); // group 1 starts again: one value
	CorrelationTable table(1, 10 * s);
	for (uint64_t k = 1; k <= 5; k++)
		table.remember(k, k * s);
	CHECK(table.evicted() == 1);
	CHECK_FALSE(table.recent(1, 6 * s));
	CHECK(table.recent(5, 6 * s));
	table.remember(6, 100 * s); // the one it replaces is out of its window: not counted
	CHECK(table.evicted() == 1);
}
