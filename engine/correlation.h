/* SPDX-License-Identifier: GPL-2.0-or-later */
// The correlation rule types users can write (docs/rules.md): a sequence
// ("A then B by the same process or tree within T seconds") and a
// threshold ("at least N distinct values of a field among matching events
// by the same process or tree within T seconds"). Their state is made when
// the rule loads and never grows: a sequence remembers its first steps in a
// CorrelationTable; a threshold keeps, per group, the N most recent distinct
// values' hashes. What a full table forgets while still in its window is
// counted (evicted) for the health record.
//
// Which events count together is the rule's `by`: the same process (pid),
// the processes one process started (its children's events and its own,
// grouped by ppid), or both at once (tree: an event belongs to its own
// process's group and to its parent's, so a process, its parent, its
// children and its siblings correlate). The step conditions themselves are
// tested by engine/correlation_match.cpp; this file keeps the state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/correlation_table.h"
#include "engine/event_fields.h"

namespace guard {

enum class GroupBy : uint8_t { process, parent, tree };
const char *group_by_name(GroupBy by);

constexpr Field no_field = Field::count_;

// The groups an event belongs to (at most 2): its pid, its ppid, or both.
// A ppid of 0, 1 or 2 (init, kthreadd) makes no group: every service is
// their child. Returns how many.
size_t event_groups(GroupBy by, const Record &r, uint64_t out[2]);

// A field's value as 64 bits: strings hashed (FNV-1a), numbers and
// booleans as they are, addresses hashed with their family. The fields a
// correlation may name are those with one value per event (not argv and
// the ancestor fields, which test several): correlation_field_ok.
uint64_t field_hash(Field f, const EventView &ev);
bool correlation_field_ok(Field f);

// One step of a correlation rule: the kinds it applies to and its condition
// (a node of the RuleSet).
struct CorrelationStep {
	uint32_t kinds = 0;
	uint32_t root = 0;
};

struct SequenceRule {
	SequenceRule(CorrelationStep first, CorrelationStep then, GroupBy by, Field same, bool ordered, uint64_t window_ns,
		     size_t sets = 1024);

	// The event matched step first (holds[0]) and/or step then (holds[1]);
	// same_value: field_hash of `same` (0 without one). True when it
	// completes the sequence: the other step was seen in one of its groups
	// within the window (each earlier step is used once).
	bool observe(const bool holds[2], const uint64_t *groups, size_t n, uint64_t same_value, uint64_t now_ns);

	CorrelationStep steps[2];
	GroupBy by;
	Field same;   // no_field, or a field both steps' events must share
	bool ordered; // false: either step may come first
	CorrelationTable seen;
};

class ThresholdRule {
public:
	ThresholdRule(CorrelationStep step, GroupBy by, const Field distinct[2], uint32_t count, uint64_t window_ns,
		      size_t sets = 256);

	// A matching event whose distinct fields hash to value, in groups.
	// True when one of its groups now holds `count` distinct values within
	// the window; that group starts counting afresh (the next alert needs
	// `count` new values).
	bool observe(const uint64_t *groups, size_t n, uint64_t value, uint64_t now_ns);

	uint64_t evicted() const { return evicted_; }
	uint64_t window_ns() const { return window_ns_; }

	CorrelationStep step;
	GroupBy by;
	Field distinct[2]; // the second may be no_field
	uint32_t count;

private:
	static constexpr size_t ways = 4;
	struct Group {
		uint64_t key = 0;
		uint64_t last_ns = 0; // 0: empty
	};
	bool add_to_group(uint64_t key, uint64_t value, uint64_t now_ns);
	Group &find_group(uint64_t key, uint64_t now_ns, uint64_t *&values);

	uint64_t window_ns_;
	size_t set_mask_;
	std::unique_ptr<Group[]> groups_;
	// Per group, `count` (value hash, time) pairs: times at [count, 2 * count).
	std::unique_ptr<uint64_t[]> values_;
	uint64_t evicted_ = 0;
};

} // namespace guard
