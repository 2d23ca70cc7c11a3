// SPDX-License-Identifier: GPL-2.0-or-later
// The benchmark harness counts guard's lines per workload process and takes
// latency from boot_ns; "generated = written + dropped" in docs/benchmarks.md
// rests on this counting being exact.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tools/bench/harness/event_lines.h"

using namespace bench;

TEST_CASE("find_uint reads a whole key's number and ignores look-alikes inside strings")
{
	uint64_t v = 0;
	CHECK(find_uint(R"({"type":"exec","boot_ns":123,"pid":42,"ppid":7})", "pid", v));
	CHECK(v == 42);
	CHECK(find_uint(R"({"type":"exec","pid":42,"ppid":7})", "ppid", v));
	CHECK(v == 7);
	// An escaped quote inside a string value is not a key.
	CHECK(find_uint(R"({"path":"a\"pid\":99","pid":5})", "pid", v));
	CHECK(v == 5);
	CHECK_FALSE(find_uint(R"({"type":"exec","comm":"pid"})", "pid", v));
	CHECK_FALSE(find_uint(R"({"pid":"x"})", "pid", v));
}

TEST_CASE("line_facts takes pid, ppid, boot_ns, a fork's child and health records")
{
	LineFacts f;
	REQUIRE(line_facts(R"({"type":"fork","time":"t","boot_ns":9,"pid":10,"tid":10,"ppid":1,"child_pid":11})", f));
	CHECK(f.pid == 10);
	CHECK(f.ppid == 1);
	CHECK(f.boot_ns == 9);
	CHECK(f.child_pid == 11);
	CHECK_FALSE(f.health);
	REQUIRE(line_facts(R"({"type":"file_open","boot_ns":9,"pid":10,"child_pid":11})", f));
	CHECK(f.child_pid == 0); // only a fork has a child
	REQUIRE(line_facts(R"({"type":"health","records":3})", f));
	CHECK(f.health);
	CHECK_FALSE(line_facts("not json", f));
}

TEST_CASE("a workload's events are its own, its children's (by fork or ppid), and no one else's")
{
	EventCounts c;
	count_line(R"({"type":"exec","pid":100,"ppid":1})", c);               // the workload itself
	count_line(R"({"type":"exec","pid":101,"ppid":0})", c);               // child, seen before its fork line
	count_line(R"({"type":"fork","pid":100,"ppid":1,"child_pid":101})", c);
	count_line(R"({"type":"exit","pid":101,"ppid":0})", c);
	count_line(R"({"type":"exec","pid":102,"ppid":100})", c);             // child known by ppid only
	count_line(R"({"type":"file_open","pid":200,"ppid":1})", c);          // someone else
	count_line(R"({"type":"health","userspace_drops":{"decode_errors":1,"output_bytes":0}})", c);
	count_line(R"({"type":"health","userspace_drops":{"decode_errors":3,"output_bytes":7}})", c);
	CHECK(c.of(100) == 5);
	CHECK(c.of(200) == 1);
	CHECK(c.of(300) == 0);
	CHECK(c.lines == 8);
	CHECK(c.health_lines == 2);
	CHECK(c.drops.reported);
	CHECK(c.drops.user == 3); // totals since start: the last, largest
	CHECK(c.drops.output_bytes == 7);
}

TEST_CASE("count_events reads a byte range of a file, whole lines only")
{
	char dir[] = "/tmp/guard-bench-test-XXXXXX";
	REQUIRE(::mkdtemp(dir));
	std::string path = std::string(dir) + "/events.jsonl";
	std::string a = R"({"type":"exec","pid":1})" "\n";
	std::string b = R"({"type":"exec","pid":2})" "\n";
	std::ofstream(path) << a << b << b;
	CHECK(count_events(path).of(2) == 2);
	CHECK(count_events(path, 0, a.size()).lines == 1);
	CHECK(count_events(path, a.size()).of(1) == 0);
	CHECK(count_events(path, a.size()).of(2) == 2);
	std::remove(path.c_str());
	::rmdir(dir);
}
