// SPDX-License-Identifier: GPL-2.0-or-later
// RingView against a ring in memory that a fake producer writes exactly as
// kernel/bpf/ringbuf.c does (test/support/fake_ring.h).
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <cstring>
#include <string>
#include <vector>

#include "base/error.h"
#include "loader/ring_view.h"
#include "test/support/fake_ring.h"

using namespace guard;
using test::FakeRing;

namespace {

std::vector<std::string> drain_all(RingView &ring)
{
	std::vector<std::string> out;
	ring.drain([&](std::span<const uint8_t> r) { out.emplace_back(r.begin(), r.end()); });
	return out;
}

} // namespace

TEST_CASE("records come out in order, whole, and the consumer catches up")
{
	FakeRing fake(4096);
	RingView ring = fake.view();
	CHECK(ring.pending_bytes() == 0);
	fake.push("first");
	fake.push(std::string(100, 'x'));
	fake.push("");
	CHECK(ring.pending_bytes() > 0);
	CHECK(ring.pending_bytes() == 16 + 112 + 8);
	CHECK(drain_all(ring) == std::vector<std::string>{"first", std::string(100, 'x'), ""});
	CHECK(fake.consumer() == 136);
	CHECK(ring.pending_bytes() == 0);
	CHECK(drain_all(ring).empty());
}

TEST_CASE("a record still being written (BUSY) stops the drain there, and it resumes after commit")
{
	FakeRing fake(4096);
	RingView ring = fake.view();
	fake.push("a");
	uint64_t busy = fake.reserve("b");
	fake.push("c"); // committed, but behind a BUSY record: must wait its turn
	CHECK(drain_all(ring) == std::vector<std::string>{"a"});
	CHECK(fake.consumer() == busy);
	CHECK(ring.pending_bytes() > 0);
	fake.commit(busy);
	CHECK(drain_all(ring) == std::vector<std::string>{"b", "c"});
}

TEST_CASE("discarded records are consumed but not handed over")
{
	FakeRing fake(4096);
	RingView ring = fake.view();
	fake.push("keep1");
	fake.commit(fake.reserve("drop"), true);
	fake.push("keep2");
	CHECK(drain_all(ring) == std::vector<std::string>{"keep1", "keep2"});
	CHECK(ring.pending_bytes() == 0);
}

TEST_CASE("a record across the end of the ring reads contiguously (double mapping)")
{
	FakeRing fake(4096);
	fake.start_at(3 * 4096 + 4096 - 24); // far along: positions only grow
	RingView ring = fake.view();
	std::string wraps(40, 'w');
	for (size_t i = 0; i < wraps.size(); i++)
		wraps[i] = char('a' + i % 26);
	fake.push("tail");
	fake.push(wraps);
	fake.push("after");
	CHECK(drain_all(ring) == std::vector<std::string>{"tail", wraps, "after"});
}

TEST_CASE("a header claiming more than the ring holds is never followed")
{
	FakeRing fake(4096);
	RingView ring = fake.view();
	fake.push("ok");
	uint64_t bad = fake.reserve("x");
	fake.write_u32(bad, 1u << 20); // committed, length beyond the ring
	size_t calls = 0;
	ring.drain([&](std::span<const uint8_t>) { calls++; });
	CHECK(calls == 1);
	CHECK(fake.consumer() == bad); // stopped before it, nothing read past the ring
}

TEST_CASE("enough() ends a drain after the records it allows; the consumer covers them, the rest follows")
{
	FakeRing fake(4096);
	RingView ring = fake.view();
	for (const char *r : {"a", "b", "c", "d", "e"})
		fake.push(r);
	std::vector<std::string> out;
	auto take = [&](std::span<const uint8_t> r) { out.emplace_back(r.begin(), r.end()); };
	CHECK(ring.drain(take, [](size_t n) { return n == 2; }) == 2);
	CHECK(out == std::vector<std::string>{"a", "b"});
	CHECK(fake.consumer() == 2 * 16);
	CHECK(drain_all(ring) == std::vector<std::string>{"c", "d", "e"});
}

TEST_CASE("a ring size that is not a power of two is refused")
{
	uint64_t c = 0, p = 0;
	uint8_t data[8]{};
	CHECK_THROWS_AS(RingView(&c, &p, data, 3000), Error);
}
