// SPDX-License-Identifier: GPL-2.0-or-later
// The rule types that correlate events: dropper, sequence, threshold
// (docs/rules.md). Their state is sized here, once, at load.
#include <string>

#include "rules/json_checks.h"
#include "rules/rule_parts.h"

namespace guard::rules {

namespace {

using Type = JsonValue::Type;

constexpr int64_t kMaxWindowSeconds = 86400;
constexpr int64_t kMaxThresholdCount = 64;

uint64_t window_ns(const JsonValue &r, const Rule &rule, const char *type)
{
	const JsonValue *within = r.get("within_seconds");
	if (!within)
		reject(r.offset, std::string(type) + " rule " + rule.id + ": missing \"within_seconds\"");
	expect(*within, Type::integer, "\"within_seconds\"");
	if (within->integer <= 0 || within->integer > kMaxWindowSeconds)
		reject(within->offset, "\"within_seconds\": expected 1 to 86400");
	return uint64_t(within->integer) * 1000000000ull;
}

GroupBy group_by(const JsonValue &r, const Rule &rule, const char *type)
{
	const JsonValue *by = r.get("by");
	if (!by)
		reject(r.offset, std::string(type) + " rule " + rule.id +
					 ": missing \"by\" (\"process\", \"parent\" or \"tree\": which events count together)");
	expect(*by, Type::string, "\"by\"");
	for (GroupBy g : {GroupBy::process, GroupBy::parent, GroupBy::tree})
		if (by->string == group_by_name(g))
			return g;
	reject(by->offset, "\"by\": expected \"process\", \"parent\" or \"tree\", found \"" + by->string + "\"" +
				   did_you_mean(by->string, {"process", "parent", "tree"}));
}

// A field correlated on (`same`, `distinct`): one value per event, on every
// kind of every step.
Field correlation_field(const JsonValue &v, uint32_t kinds, const char *key)
{
	expect(v, Type::string, std::string("\"") + key + "\"");
	Field f;
	if (!field_by_name(v.string, f))
		reject(v.offset, std::string("\"") + key + "\": unknown field \"" + v.string + "\"");
	if (!correlation_field_ok(f))
		reject(v.offset, std::string("\"") + key + "\": \"" + v.string +
					 "\" holds several values per event; expected a field with one (such as \"path\", \"comm\", \"port\")");
	if ((field_info(f).kinds & kinds) != kinds)
		reject(v.offset, std::string("\"") + key + "\": field \"" + v.string +
					 "\" does not exist on every event kind the rule names");
	return f;
}

CorrelationStep step_of(RuleParts &parts, const JsonValue &s)
{
	expect(s, Type::object, "step");
	check_keys(s, {"events", "match"}, "step");
	const JsonValue *events = s.get("events");
	if (!events)
		reject(s.offset, "step: missing \"events\" (the event kinds it applies to)");
	CorrelationStep step;
	step.kinds = parts.events(*events);
	step.root = parts.condition(s.get("match"), step.kinds);
	return step;
}

} // namespace

void compile_dropper(RuleParts &parts, const JsonValue &r, Rule &rule)
{
	const JsonValue *watch = r.get("watch");
	if (!watch)
		reject(r.offset, "dropper rule " + rule.id + ": missing \"watch\" (path prefixes such as \"/tmp/\")");
	std::vector<const JsonValue *> items;
	parts.gather(*watch, items);
	if (items.empty())
		reject(watch->offset, "\"watch\": expected at least one path prefix");
	std::vector<std::string> prefixes;
	for (const JsonValue *w : items) {
		expect(*w, Type::string, "\"watch\" entry");
		if (!w->string.starts_with("/") || w->string.find('\0') != std::string::npos)
			reject(w->offset, "\"watch\": expected an absolute path prefix, found \"" + w->string + "\"");
		prefixes.push_back(w->string);
	}
	uint64_t window = window_ns(r, rule, "dropper");
	rule.kinds = kind_bit(GUARD_RECORD_EXEC);
	rule.dropper = static_cast<int>(parts.set().droppers.size());
	parts.set().droppers.emplace_back(std::move(prefixes), window);
}

void compile_sequence(RuleParts &parts, const JsonValue &r, Rule &rule)
{
	const JsonValue *steps = r.get("steps");
	if (!steps)
		reject(r.offset, "sequence rule " + rule.id + ": missing \"steps\" (two steps: [{\"events\": ..., \"match\": ...}, {...}])");
	expect(*steps, Type::array, "\"steps\"");
	if (steps->items.size() != 2)
		reject(steps->offset, "\"steps\": expected exactly two steps (the first, then the second), found " +
					      std::to_string(steps->items.size()));
	CorrelationStep first = step_of(parts, steps->items[0]), then = step_of(parts, steps->items[1]);
	GroupBy by = group_by(r, rule, "sequence");
	uint64_t window = window_ns(r, rule, "sequence");
	Field same = no_field;
	if (const JsonValue *s = r.get("same"))
		same = correlation_field(*s, first.kinds | then.kinds, "same");
	bool ordered = true;
	if (const JsonValue *o = r.get("ordered"))
		ordered = expect(*o, Type::boolean, "\"ordered\"").boolean;
	rule.kinds = first.kinds | then.kinds;
	rule.sequence = static_cast<int>(parts.set().sequences.size());
	parts.set().sequences.emplace_back(first, then, by, same, ordered, window);
}

void compile_threshold(RuleParts &parts, const JsonValue &r, Rule &rule)
{
	const JsonValue *events = r.get("events");
	if (!events)
		reject(r.offset, "threshold rule " + rule.id + ": missing \"events\" (the event kinds it counts)");
	CorrelationStep step;
	step.kinds = parts.events(*events);
	step.root = parts.condition(r.get("match"), step.kinds);
	const JsonValue *distinct = r.get("distinct");
	if (!distinct)
		reject(r.offset, "threshold rule " + rule.id + ": missing \"distinct\" (the field whose distinct values are counted, or two)");
	Field fields[2] = {no_field, no_field};
	if (distinct->type == Type::array) {
		if (distinct->items.empty() || distinct->items.size() > 2)
			reject(distinct->offset, "\"distinct\": expected one field or an array of two");
		for (size_t i = 0; i < distinct->items.size(); i++)
			fields[i] = correlation_field(distinct->items[i], step.kinds, "distinct");
	} else {
		fields[0] = correlation_field(*distinct, step.kinds, "distinct");
	}
	const JsonValue *count = r.get("count");
	if (!count)
		reject(r.offset, "threshold rule " + rule.id + ": missing \"count\" (how many distinct values raise an alert)");
	expect(*count, Type::integer, "\"count\"");
	if (count->integer < 2 || count->integer > kMaxThresholdCount)
		reject(count->offset, "\"count\": expected 2 to 64");
	GroupBy by = group_by(r, rule, "threshold");
	uint64_t window = window_ns(r, rule, "threshold");
	rule.kinds = step.kinds;
	rule.threshold = static_cast<int>(parts.set().thresholds.size());
	parts.set().thresholds.emplace_back(step, by, fields, static_cast<uint32_t>(count->integer), window);
}

} // namespace guard::rules
