// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/correlation.h"

namespace guard {

const char *group_by_name(GroupBy by)
{
	switch (by) {
	case GroupBy::process: return "process";
	case GroupBy::parent: return "parent";
	case GroupBy::tree: return "tree";
	}
	return "?";
}

size_t event_groups(GroupBy by, const Record &r, uint64_t out[2])
{
	size_t n = 0;
	if (by != GroupBy::parent)
		out[n++] = r.header.pid;
	if (by != GroupBy::process && r.header.ppid > 2 && r.header.ppid != r.header.pid)
		out[n++] = r.header.ppid;
	return n;
}

bool correlation_field_ok(Field f)
{
	return f != Field::argv && f != Field::ancestor_comm && f != Field::ancestor_exe && f != Field::any_path;
}

uint64_t field_hash(Field f, const EventView &ev)
{
	const Record &r = *ev.rec;
	switch (f) {
	case Field::user: return r.header.uid; // the name is the uid's
	case Field::addr:
	case Field::addr_text: return fnv_u64(fnv_bytes(fnv_start, r.addr, sizeof(r.addr)), r.family);
	default: break;
	}
	if (field_info(f).type == FieldType::string) {
		std::string_view s = string_field(f, ev);
		return fnv_bytes(fnv_start, s.data(), s.size());
	}
	return static_cast<uint64_t>(number_field(f, ev));
}

SequenceRule::SequenceRule(CorrelationStep first, CorrelationStep then, GroupBy by_, Field same_, bool ordered_,
			   uint64_t window_ns, size_t sets)
	: steps{first, then}, by(by_), same(same_), ordered(ordered_), seen(sets, window_ns)
{
}

bool SequenceRule::observe(const bool holds[2], const uint64_t *groups, size_t n, uint64_t same_value, uint64_t now_ns)
{
	auto key = [&](size_t step, uint64_t group) { return fnv_u64(fnv_u64(fnv_u64(fnv_start, step), group), same_value); };
	bool done = false;
	for (size_t s = 0; s < 2 && !done; s++) {
		if (!holds[s] || (ordered && s == 0))
			continue;
		// This event is step s: did the other come first?
		for (size_t g = 0; g < n && !done; g++)
			if (seen.recent(key(1 - s, groups[g]), now_ns)) {
				seen.forget(key(1 - s, groups[g]));
				done = true;
			}
	}
	if (done)
		return true;
	for (size_t s = 0; s < 2; s++)
		if (holds[s] && (!ordered || s == 0))
			for (size_t g = 0; g < n; g++)
				seen.remember(key(s, groups[g]), now_ns);
	return false;
}

ThresholdRule::ThresholdRule(CorrelationStep step_, GroupBy by_, const Field distinct_[2], uint32_t count_,
			     uint64_t window_ns, size_t sets)
	: step(step_), by(by_), distinct{distinct_[0], distinct_[1]}, count(count_), window_ns_(window_ns)
{
	size_t n = 1;
	while (n < sets)
		n <<= 1;
	set_mask_ = n - 1;
	groups_ = std::make_unique<Group[]>(n * ways);
	values_ = std::make_unique<uint64_t[]>(n * ways * 2 * count);
}

// The group for key: its own entry, or the set's oldest (or an empty one)
// taken over and cleared. values: that group's value hashes.
ThresholdRule::Group &ThresholdRule::find_group(uint64_t key, uint64_t now_ns, uint64_t *&values)
{
	size_t first = (key & set_mask_) * ways;
	size_t pick = first;
	for (size_t i = first; i < first + ways; i++) {
		if (groups_[i].last_ns != 0 && groups_[i].key == key) {
			values = &values_[i * 2 * count];
			return groups_[i];
		}
		if (groups_[i].last_ns < groups_[pick].last_ns)
			pick = i;
	}
	Group &g = groups_[pick];
	if (g.last_ns != 0 && now_ns >= g.last_ns && now_ns - g.last_ns <= window_ns_)
		evicted_++;
	g = {key, 0};
	values = &values_[pick * 2 * count];
	for (size_t i = 0; i < 2 * count; i++)
		values[i] = 0;
	return g;
}

bool ThresholdRule::add_to_group(uint64_t key, uint64_t value, uint64_t now_ns)
{
	uint64_t *values;
	Group &g = find_group(key, now_ns, values);
	uint64_t *times = values + count;
	g.last_ns = now_ns ? now_ns : 1;
	uint32_t live = 0;
	size_t free_slot = count, found = count;
	for (size_t i = 0; i < count; i++) {
		bool in_window = times[i] != 0 && now_ns >= times[i] && now_ns - times[i] <= window_ns_;
		if (!in_window)
			free_slot = i;
		else if (values[i] == value)
			found = i;
		live += in_window;
	}
	if (found < count) {
		times[found] = g.last_ns;
		return false;
	}
	values[free_slot] = value; // free_slot < count: live < count, or the group would have fired
	times[free_slot] = g.last_ns;
	if (live + 1 < count)
		return false;
	for (size_t i = 0; i < count; i++)
		times[i] = 0;
	return true;
}

bool ThresholdRule::observe(const uint64_t *groups, size_t n, uint64_t value, uint64_t now_ns)
{
	bool fired = false;
	for (size_t g = 0; g < n; g++)
		fired |= add_to_group(groups[g], value, now_ns);
	return fired;
}

} // namespace guard
