// SPDX-License-Identifier: GPL-2.0-or-later
// The task context cache gives the same text as writing the fields afresh,
// whatever changed between two events of a thread and whichever threads share
// an entry.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/task_context.h"
#include "test/support/records.h"

using namespace guard;

namespace {

std::string fresh(const struct guard_header &h)
{
	std::vector<char> buf(4096);
	JsonWriter w(buf.data(), JsonWriter::fragment);
	write_task_fields(w, h);
	return std::string(buf.data(), w.position());
}

} // namespace

TEST_CASE("task fields: the schema's order, comm escaped with its hex twin")
{
	struct guard_header h = test::make_header(GUARD_RECORD_EXEC, 7, "a\"b\xff");
	h.ppid = 1;
	h.euid = 0;
	h.mnt_ns = 4026531841u;
	h.pid_ns = 4026531836u;
	h.cgroup_id = 18446744073709551615ull;
	CHECK(fresh(h) == "\"pid\":7,\"tid\":8,\"ppid\":1,\"uid\":1000,\"gid\":1001,\"euid\":0,\"comm\":\"a\\\"b\xef\xbf\xbd\","
			  "\"comm_hex\":\"612262ff\",\"mnt_ns\":4026531841,\"pid_ns\":4026531836,"
			  "\"cgroup_id\":18446744073709551615");
}

TEST_CASE("the cache answers what writing afresh would, through hits, misses and collisions")
{
	TaskContextCache cache;
	uint32_t seed = 1;
	auto next = [&] { return seed = seed * 1103515245 + 12345; };
	std::vector<struct guard_header> threads;
	// More threads than entries, so entries are shared and replaced.
	for (uint32_t i = 0; i < 300; i++)
		threads.push_back(test::make_header(GUARD_RECORD_FILE_OPEN, 1000 + i / 3, i % 2 ? "worker" : "cc1plus"));
	for (int round = 0; round < 20000; round++) {
		struct guard_header &h = threads[next() % threads.size()];
		// Now and then a thread changes what the key holds: exec (comm),
		// setuid, a move to another cgroup or namespace.
		switch (next() % 16) {
		case 0: h.comm[next() % sizeof(h.comm)] = static_cast<char>(next() >> 8); break;
		case 1: h.euid = next() % 3; break;
		case 2: h.cgroup_id = next(); break;
		case 3: h.mnt_ns = next(); break;
		case 4: h.ppid = next() % 5; break;
		default: break;
		}
		h.boot_ns = next(); // not part of the task fields: must not matter
		std::string got(cache.fields(h));
		REQUIRE(got == fresh(h));
	}
}

TEST_CASE("an all-zero header is not taken for an empty entry")
{
	TaskContextCache cache;
	struct guard_header h {};
	CHECK(std::string(cache.fields(h)) == fresh(h));
	CHECK(std::string(cache.fields(h)) ==
	      "\"pid\":0,\"tid\":0,\"ppid\":0,\"uid\":0,\"gid\":0,\"euid\":0,\"comm\":\"\",\"mnt_ns\":0,\"pid_ns\":0,\"cgroup_id\":0");
}
