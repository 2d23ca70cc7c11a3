// SPDX-License-Identifier: GPL-2.0-or-later
// drain_merged (loader/ring_merge.h) over two fake rings written as the
// kernel writes them: records of both come out ordered by their key, a ring
// that is empty or stopped at a record still being written does not hold the
// other back, records that arrive during the drain join it, and a batch ends
// at its bound with the rest left for the next.
#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "loader/ring_merge.h"
#include "test/support/fake_ring.h"

using namespace guard;
using test::FakeRing;

namespace {

// A record whose first 8 bytes are its key, then a name to recognise it by.
std::string keyed(uint64_t key, const std::string &name)
{
	std::string r(8, '\0');
	std::memcpy(r.data(), &key, 8);
	return r + name;
}

uint64_t key_of(std::span<const uint8_t> r)
{
	uint64_t key = 0;
	std::memcpy(&key, r.data(), 8);
	return key;
}

struct Merged {
	std::vector<std::string> names;
	size_t count = 0;
};

Merged drain(RingView &a, RingView &b, size_t max_records = 1000,
	     const std::function<void(const std::string &)> &after = {})
{
	Merged m;
	m.count = drain_merged(
		a, b, key_of,
		[&](std::span<const uint8_t> r) {
			m.names.emplace_back(r.begin() + 8, r.end());
			if (after)
				after(m.names.back());
		},
		max_records);
	return m;
}

} // namespace

TEST_CASE("two rings come out as one stream in key order, and both consumers catch up")
{
	FakeRing fa(4096), fb(4096);
	RingView a = fa.view(), b = fb.view();
	for (auto [key, name] : {std::pair{1, "a1"}, {4, "a4"}, {5, "a5"}, {9, "a9"}})
		fa.push(keyed(key, name));
	for (auto [key, name] : {std::pair{2, "b2"}, {3, "b3"}, {6, "b6"}, {7, "b7"}})
		fb.push(keyed(key, name));
	Merged m = drain(a, b);
	CHECK(m.names == std::vector<std::string>{"a1", "b2", "b3", "a4", "a5", "b6", "b7", "a9"});
	CHECK(m.count == 8);
	CHECK(a.pending_bytes() == 0);
	CHECK(b.pending_bytes() == 0);
	CHECK(fa.consumer() == 4 * 24); // 8 + 10 bytes each, to 8-byte alignment
	CHECK(fb.consumer() == 4 * 24);
	CHECK(drain(a, b).count == 0);
}

TEST_CASE("an empty ring does not hold the other back; records arriving in it during the drain join in order")
{
	FakeRing fa(4096), fb(4096);
	RingView a = fa.view(), b = fb.view();
	for (uint64_t key = 10; key < 60; key += 10)
		fa.push(keyed(key, "a" + std::to_string(key)));
	// While a20 is being handled, b gets a record older than a30.
	Merged m = drain(a, b, 1000, [&](const std::string &name) {
		if (name == "a20")
			fb.push(keyed(25, "b25"));
	});
	CHECK(m.names == std::vector<std::string>{"a10", "a20", "b25", "a30", "a40", "a50"});
}

TEST_CASE("a record still being written stops its own ring only; the merge resumes it after commit")
{
	FakeRing fa(4096), fb(4096);
	RingView a = fa.view(), b = fb.view();
	fa.push(keyed(1, "a1"));
	uint64_t busy = fa.reserve(keyed(2, "a2"));
	fa.push(keyed(3, "a3"));
	fb.push(keyed(4, "b4"));
	fb.push(keyed(5, "b5"));
	CHECK(drain(a, b).names == std::vector<std::string>{"a1", "b4", "b5"});
	CHECK(fa.consumer() == busy);
	fa.commit(busy);
	CHECK(drain(a, b).names == std::vector<std::string>{"a2", "a3"});
}

TEST_CASE("discarded records are skipped in either ring")
{
	FakeRing fa(4096), fb(4096);
	RingView a = fa.view(), b = fb.view();
	fa.commit(fa.reserve(keyed(1, "gone")), true);
	fa.push(keyed(3, "a3"));
	fb.push(keyed(2, "b2"));
	fb.commit(fb.reserve(keyed(4, "gone")), true);
	CHECK(drain(a, b).names == std::vector<std::string>{"b2", "a3"});
	CHECK(b.pending_bytes() == 0);
}

TEST_CASE("a batch ends at max_records; the rest waits, published positions cover what was taken")
{
	FakeRing fa(4096), fb(4096);
	RingView a = fa.view(), b = fb.view();
	for (uint64_t key = 0; key < 10; key++)
		(key % 2 ? fb : fa).push(keyed(key, std::to_string(key)));
	Merged first = drain(a, b, 4);
	CHECK(first.names == std::vector<std::string>{"0", "1", "2", "3"});
	CHECK(fa.consumer() == 2 * 24);
	CHECK(fb.consumer() == 2 * 24);
	CHECK(drain(a, b).names == std::vector<std::string>{"4", "5", "6", "7", "8", "9"});
}

TEST_CASE("enough() ends a merged drain too (the agent's time budget), before max_records")
{
	FakeRing fa(4096), fb(4096);
	RingView a = fa.view(), b = fb.view();
	for (uint64_t key = 0; key < 6; key++)
		(key % 2 ? fb : fa).push(keyed(key, std::to_string(key)));
	std::vector<std::string> names;
	auto take = [&](std::span<const uint8_t> r) { names.emplace_back(r.begin() + 8, r.end()); };
	CHECK(drain_merged(a, b, key_of, take, 1000, [](size_t n) { return n == 3; }) == 3);
	CHECK(names == std::vector<std::string>{"0", "1", "2"});
	CHECK(fa.consumer() == 2 * 24);
	CHECK(fb.consumer() == 1 * 24);
	CHECK(drain(a, b).names == std::vector<std::string>{"3", "4", "5"});
}
