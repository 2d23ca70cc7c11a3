// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/correlation_table.h"

namespace guard {

CorrelationTable::CorrelationTable(size_t sets, uint64_t window_ns) : window_ns_(window_ns)
{
	size_t n = 1;
	while (n < sets)
		n <<= 1;
	set_mask_ = n - 1;
	slots_ = std::make_unique<Slot[]>(n * ways);
}

void CorrelationTable::remember(uint64_t key, uint64_t now_ns)
{
	Slot *set = set_of(key);
	Slot *victim = &set[0];
	for (size_t i = 0; i < ways; i++) {
		if (set[i].time_ns != 0 && set[i].key == key) {
			victim = &set[i];
			break;
		}
		if (set[i].time_ns < victim->time_ns)
			victim = &set[i];
	}
	if (victim->key != key && live(*victim, now_ns))
		evicted_++;
	// boot_ns is never 0 for a real event; keep 0 meaning "empty".
	*victim = {key, now_ns ? now_ns : 1};
}

bool CorrelationTable::recent(uint64_t key, uint64_t now_ns) const
{
	const Slot *set = set_of(key);
	for (size_t i = 0; i < ways; i++)
		if (set[i].time_ns != 0 && set[i].key == key)
			return live(set[i], now_ns);
	return false;
}

void CorrelationTable::forget(uint64_t key)
{
	Slot *set = set_of(key);
	for (size_t i = 0; i < ways; i++)
		if (set[i].key == key)
			set[i] = {};
}

} // namespace guard
