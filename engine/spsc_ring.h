/* SPDX-License-Identifier: GPL-2.0-or-later */
// A bounded single-producer single-consumer queue of fixed-size items:
// one thread pushes, one other pops, no lock, no allocation after
// construction. Head and tail only grow (unsigned wrap is fine); each is
// written by one side and read by the other with acquire/release, so an
// item is whole before the other side sees it. A full queue refuses the
// push (the caller counts it): the producer never waits.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace guard {

template <class T, size_t N>
class SpscRing {
	static_assert(N > 0 && (N & (N - 1)) == 0, "a power of two");

public:
	bool push(const T &item)
	{
		uint32_t tail = tail_.load(std::memory_order_relaxed);
		if (tail - head_.load(std::memory_order_acquire) == N)
			return false;
		items_[tail & (N - 1)] = item;
		tail_.store(tail + 1, std::memory_order_release);
		return true;
	}

	bool pop(T &out)
	{
		uint32_t head = head_.load(std::memory_order_relaxed);
		if (head == tail_.load(std::memory_order_acquire))
			return false;
		out = items_[head & (N - 1)];
		head_.store(head + 1, std::memory_order_release);
		return true;
	}

	bool empty() const { return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire); }

private:
	// Apart, so the two sides do not share a cache line.
	alignas(64) std::atomic<uint32_t> head_{0};
	alignas(64) std::atomic<uint32_t> tail_{0};
	alignas(64) std::array<T, N> items_{};
};

} // namespace guard
