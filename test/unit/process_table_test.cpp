// SPDX-License-Identifier: GPL-2.0-or-later
// ProcessTable: lookups stay right through inserts, evictions and
// backward-shift deletions; eviction takes exited processes first, then the
// oldest; ancestry walks up to 8 levels.
#include <doctest/doctest.h>

#include <unistd.h>

#include <map>
#include <random>

#include "engine/process_table.h"

using namespace guard;

TEST_CASE("process table: find what was put, with parent and names")
{
	ProcessTable t(16);
	Process &p = t.upsert(42);
	p.ppid = 1;
	p.set_comm("bash");
	p.set_exe("/usr/bin/bash");
	const Process *f = t.find(42);
	REQUIRE(f);
	CHECK(f->ppid == 1);
	CHECK(f->comm_view() == "bash");
	CHECK(f->exe_view() == "/usr/bin/bash");
	CHECK(t.find(43) == nullptr);
	CHECK(t.size() == 1);
}

TEST_CASE("process table: full, it evicts exited processes first, then the oldest")
{
	ProcessTable t(4);
	for (uint32_t pid = 1; pid <= 4; pid++)
		t.upsert(pid);
	t.mark_exited(3);
	t.upsert(5); // evicts 3: exited
	CHECK(t.find(3) == nullptr);
	CHECK(t.find(1) != nullptr);
	t.upsert(6); // no exited left: evicts 1, the oldest
	CHECK(t.find(1) == nullptr);
	CHECK(t.find(2) != nullptr);
	CHECK(t.size() == 4);
	CHECK(t.stats().evictions == 2);
	CHECK(t.stats().evicted_live == 1);
}

TEST_CASE("process table: a reused pid starts afresh")
{
	ProcessTable t(4);
	Process &p = t.upsert(7);
	p.set_comm("old");
	t.mark_exited(7);
	Process &q = t.upsert(7);
	CHECK(q.comm_len == 0);
	CHECK_FALSE(q.exited);
}

TEST_CASE("process table: random operations agree with a map (probing and deletion)")
{
	ProcessTable t(256);
	std::map<uint32_t, uint32_t> model; // pid -> ppid, for pids known present
	std::mt19937 rng(7);
	for (int i = 0; i < 200000; i++) {
		// Few distinct pids, many collisions in the index.
		uint32_t pid = 1 + rng() % 600;
		Process &p = t.upsert(pid);
		p.ppid = pid * 3;
		model[pid] = pid * 3;
		if (rng() % 3 == 0)
			t.mark_exited(1 + rng() % 600);
		if (i % 1000 == 0) {
			for (auto it = model.begin(); it != model.end();) {
				const Process *f = t.find(it->first);
				if (!f) { // evicted: allowed, the table is smaller than the pid space
					it = model.erase(it);
					continue;
				}
				REQUIRE(f->ppid == it->second);
				++it;
			}
			REQUIRE(t.size() <= 256);
		}
	}
}

TEST_CASE("process table: ancestry goes up to 8 levels and stops at loops")
{
	ProcessTable t(64);
	for (uint32_t pid = 2; pid <= 20; pid++)
		t.upsert(pid).ppid = pid - 1;
	const Process *chain[ProcessTable::max_ancestry];
	size_t n = t.ancestry(20, chain);
	REQUIRE(n == 8);
	CHECK(chain[0]->pid == 19);
	CHECK(chain[7]->pid == 12);
	CHECK(t.ancestry(3, chain) == 1); // 2's parent (1) is unknown
	t.upsert(30).ppid = 31;
	t.upsert(31).ppid = 30;
	CHECK(t.ancestry(30, chain) == 1);
}

TEST_CASE("process table: seeded from /proc, it knows this process")
{
	ProcessTable t(1 << 15);
	CHECK(t.seed_from_proc() > 1);
	const Process *me = t.find(static_cast<uint32_t>(::getpid()));
	REQUIRE(me);
	CHECK(me->ppid == static_cast<uint32_t>(::getppid()));
	CHECK(me->exe_view().find("unit_tests") != std::string_view::npos);
}
