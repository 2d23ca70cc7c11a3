// SPDX-License-Identifier: GPL-2.0-or-later
// Two rings drained as one stream, in the order of a key each record carries
// (guard's agent: the header's boot_ns, so records from its two rings come
// out in time order). A two-way merge over RingView::peek: whichever ring's
// next record has the smaller key goes first. It needs no buffer: a record is
// handed over in place, then its ring moves on.
//
// Each ring is in order only as far as its producers are (two CPUs may commit
// in the other order than they read the clock), and a record the kernel has
// not committed yet cannot be waited for: the merge orders what both rings
// hold when it looks. A ring with nothing to give is looked at again at every
// step (one load of its producer position), so records that arrive there
// during a long drain of the other ring join the merge at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "loader/ring_view.h"

namespace guard {

// Hands at most max_records records of a and b to fn(std::span<const uint8_t>),
// smaller key(record) first (a first on a tie), until both rings are empty or
// waiting on a record still being written, or enough(records handed over so
// far) says to stop. Publishes both consumer positions at the end. Returns
// how many records were handed over.
template <class Key, class Fn, class Enough = RingView::DrainAll>
size_t drain_merged(RingView &a, RingView &b, Key &&key, Fn &&fn, size_t max_records, Enough &&enough = {})
{
	std::span<const uint8_t> next_a, next_b;
	size_t count = 0;
	for (; count < max_records && (count == 0 || !enough(count)); count++) {
		bool has_a = a.peek(next_a);
		bool has_b = b.peek(next_b);
		if (has_a && (!has_b || key(next_a) <= key(next_b))) {
			fn(next_a);
			a.pop();
		} else if (has_b) {
			fn(next_b);
			b.pop();
		} else {
			break;
		}
	}
	a.publish();
	b.publish();
	return count;
}

} // namespace guard
