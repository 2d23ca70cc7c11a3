/* SPDX-License-Identifier: GPL-2.0-or-later */
// What a correlation rule remembers: 64-bit keys, each with the time it was
// last seen, in a table whose size is fixed when the rule loads (sets of 4
// ways; a key lives in the set its low bits pick, the oldest way replaced).
// Nothing is allocated after construction, so the hot path may use it. A
// key is a hash (FNV-1a of what it stands for): a false match needs a
// collision between two keys remembered within one window.
//
// A replaced entry still inside its window is a memory the rule lost: it is
// counted (evicted), and the health record reports the sum over every
// correlation rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace guard {

// FNV-1a, continued from h (start with fnv_start).
constexpr uint64_t fnv_start = 0xcbf29ce484222325ull;
inline uint64_t fnv_bytes(uint64_t h, const void *data, size_t n)
{
	const auto *p = static_cast<const unsigned char *>(data);
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
inline uint64_t fnv_u64(uint64_t h, uint64_t v) { return fnv_bytes(h, &v, sizeof(v)); }

class CorrelationTable {
public:
	static constexpr size_t ways = 4;

	// sets: rounded up to a power of two; window_ns: how long a key counts.
	CorrelationTable(size_t sets, uint64_t window_ns);

	// Remembers key at now (refreshes it when present).
	void remember(uint64_t key, uint64_t now_ns);
	// True if key was remembered within the window before now_ns.
	bool recent(uint64_t key, uint64_t now_ns) const;
	// Forgets key (a sequence's first step, once used).
	void forget(uint64_t key);

	uint64_t window_ns() const { return window_ns_; }
	uint64_t evicted() const { return evicted_; }
	size_t capacity() const { return (set_mask_ + 1) * ways; }

private:
	struct Slot {
		uint64_t key = 0;
		uint64_t time_ns = 0; // 0: empty
	};
	Slot *set_of(uint64_t key) const { return &slots_[(key & set_mask_) * ways]; }
	bool live(const Slot &s, uint64_t now_ns) const
	{
		return s.time_ns != 0 && now_ns >= s.time_ns && now_ns - s.time_ns <= window_ns_;
	}

	uint64_t window_ns_;
	size_t set_mask_;
	std::unique_ptr<Slot[]> slots_;
	uint64_t evicted_ = 0;
};

} // namespace guard
