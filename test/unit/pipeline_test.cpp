// SPDX-License-Identifier: GPL-2.0-or-later
// The engine on recorded records: raw bytes in, the exact JSON line out.
#include <doctest/doctest.h>

#include <simdjson.h>
#include <stdio.h>
#include <unistd.h>

#include <string>

#include "engine/pipeline.h"
#include "test/support/records.h"

using namespace guard;

namespace {

// Runs records through a Pipeline writing into a pipe and returns the output.
struct Capture {
	int fds[2];
	Capture() { REQUIRE(::pipe(fds) == 0); }
	~Capture()
	{
		::close(fds[0]);
		if (fds[1] >= 0)
			::close(fds[1]);
	}
	std::string read_all()
	{
		::close(fds[1]);
		fds[1] = -1;
		std::string out;
		char buf[4096];
		ssize_t n;
		while ((n = ::read(fds[0], buf, sizeof(buf))) > 0)
			out.append(buf, static_cast<size_t>(n));
		return out;
	}
};

} // namespace

TEST_CASE("an exec record becomes one JSON line with every field")
{
	Capture cap;
	BatchWriter out(cap.fds[1], 1 << 20);
	Pipeline pipeline(out, 1'700'000'000'000'000'000);
	auto rec = test::make_exec(4242, "true", "/bin/true");
	pipeline.on_record(rec);
	REQUIRE(out.flush());
	std::string text = cap.read_all();

	CHECK(text ==
	      "{\"type\":\"exec\",\"time\":\"2023-11-14T22:33:54.567890123Z\",\"boot_ns\":1234567890123,"
	      "\"pid\":4242,\"tid\":4243,\"ppid\":0,\"uid\":1000,\"gid\":1001,\"euid\":0,\"comm\":\"true\",\"mnt_ns\":0,"
	      "\"pid_ns\":0,\"cgroup_id\":0,\"path\":\"/bin/true\",\"cwd\":\"\",\"argv\":[],\"argc\":0}\n");
	CHECK(pipeline.stats().events_by_kind[GUARD_RECORD_EXEC] == 1);
}

TEST_CASE("a path that is not UTF-8 keeps its bytes in path_hex")
{
	Capture cap;
	BatchWriter out(cap.fds[1], 1 << 20);
	Pipeline pipeline(out, 0);
	auto rec = test::make_exec(1, "x\n", std::string_view("/tmp/\xff\"q", 8));
	pipeline.on_record(rec);
	REQUIRE(out.flush());
	std::string text = cap.read_all();

	simdjson::dom::parser parser;
	simdjson::dom::element doc;
	REQUIRE(parser.parse(text).get(doc) == simdjson::SUCCESS);
	CHECK(std::string_view(doc["path"]) == "/tmp/\xef\xbf\xbd\"q");
	CHECK(std::string_view(doc["path_hex"]) == "2f746d702fff2271");
	CHECK(std::string_view(doc["comm"]) == "x\n");
}

TEST_CASE("a bad record is counted, not printed")
{
	Capture cap;
	BatchWriter out(cap.fds[1], 1 << 20);
	Pipeline pipeline(out, 0);
	auto rec = test::make_exec(1, "x", "/bin/x");
	rec.pop_back();
	pipeline.on_record(rec);
	REQUIRE(out.flush());
	CHECK(cap.read_all().empty());
	CHECK(pipeline.stats().decode_errors[static_cast<size_t>(DecodeError::size_mismatch)] == 1);
}

TEST_CASE("lines leave in batches: one write for many records")
{
	Capture cap;
	BatchWriter out(cap.fds[1], 1 << 20);
	Pipeline pipeline(out, 0);
	auto rec = test::make_exec(1, "x", "/bin/x");
	for (int i = 0; i < 100; i++)
		pipeline.on_record(rec);
	CHECK(out.writes() == 0);
	REQUIRE(out.flush());
	CHECK(out.writes() == 1);
	std::string text = cap.read_all();
	CHECK(std::count(text.begin(), text.end(), '\n') == 100);
}
