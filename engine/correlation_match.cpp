// SPDX-License-Identifier: GPL-2.0-or-later
// Sequence and threshold rules on one event: their step conditions tested
// as plain rules' are (eval_node), their state in engine/correlation.h.
// No allocation.
#include "engine/rule_set.h"

namespace guard {

namespace {

bool step_holds(const RuleSet &set, const CorrelationStep &step, const EventView &ev)
{
	return (step.kinds & kind_bit(ev.rec->header.kind)) && eval_node(set, step.root, ev);
}

bool sequence_matches(RuleSet &set, SequenceRule &seq, const EventView &ev)
{
	bool holds[2] = {step_holds(set, seq.steps[0], ev), step_holds(set, seq.steps[1], ev)};
	if (!holds[0] && !holds[1])
		return false;
	uint64_t groups[2];
	size_t n = event_groups(seq.by, *ev.rec, groups);
	uint64_t same = seq.same == no_field ? 0 : field_hash(seq.same, ev);
	return seq.observe(holds, groups, n, same, ev.rec->header.boot_ns);
}

bool threshold_matches(RuleSet &set, ThresholdRule &t, const EventView &ev)
{
	if (!step_holds(set, t.step, ev))
		return false;
	uint64_t groups[2];
	size_t n = event_groups(t.by, *ev.rec, groups);
	uint64_t value = field_hash(t.distinct[0], ev);
	if (t.distinct[1] != no_field)
		value = fnv_u64(fnv_u64(fnv_start, value), field_hash(t.distinct[1], ev));
	return t.observe(groups, n, value, ev.rec->header.boot_ns);
}

} // namespace

size_t match_correlations(RuleSet &set, const EventView &ev, uint32_t out[max_matches], size_t n, uint64_t &over_limit)
{
	for (uint32_t i : set.correlated_by_kind[ev.rec->header.kind]) {
		const Rule &rule = set.rules[i];
		bool matched = rule.sequence >= 0
				       ? sequence_matches(set, set.sequences[static_cast<size_t>(rule.sequence)], ev)
				       : threshold_matches(set, set.thresholds[static_cast<size_t>(rule.threshold)], ev);
		if (!matched)
			continue;
		if (n < max_matches)
			out[n++] = i;
		else
			over_limit++;
	}
	return n;
}

uint64_t RuleSet::correlation_evicted() const
{
	uint64_t n = 0;
	for (const DropperRule &d : droppers)
		n += d.evicted();
	for (const SequenceRule &s : sequences)
		n += s.seen.evicted();
	for (const ThresholdRule &t : thresholds)
		n += t.evicted();
	return n;
}

} // namespace guard
