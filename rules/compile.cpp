// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules/compile.h"

#include <algorithm>

#include <map>
#include <set>

#include "engine/kill_table.h"
#include "rules/file_hashes.h"
#include "rules/json_checks.h"
#include "rules/rule_error.h"
#include "rules/rule_parts.h"
#include "rules/suggest.h"
#include "rules/value_checks.h"

namespace guard::rules {

namespace {

using Type = JsonValue::Type;

constexpr size_t kMaxConditionDepth = 32;
const std::vector<std::string_view> kRuleKeys = {"id", "description", "severity", "events", "match",  "enabled",
						 "type", "watch", "within_seconds", "attack", "steps", "by",
						 "same", "ordered", "distinct", "count", "action"};
const std::vector<std::string_view> kRuleTypes = {"match", "dropper", "sequence", "threshold"};

// The keys each rule type takes besides id, description, severity, enabled,
// type and attack.
const std::vector<std::string_view> &type_keys(std::string_view type)
{
	static const std::map<std::string_view, std::vector<std::string_view>> keys = {
		{"match", {"events", "match"}},
		{"dropper", {"watch", "within_seconds"}},
		{"sequence", {"steps", "by", "within_seconds", "same", "ordered"}},
		{"threshold", {"events", "match", "distinct", "count", "by", "within_seconds"}}};
	return keys.at(type);
}

// A key of another rule type in a rule of this one.
void check_type_keys(const JsonValue &r, std::string_view type)
{
	const auto &own = type_keys(type);
	for (const auto &m : r.members) {
		std::string owners;
		for (std::string_view t : kRuleTypes)
			if (t != type && std::ranges::count(type_keys(t), m.key) && !std::ranges::count(own, m.key))
				owners += (owners.empty() ? "" : ", ") + std::string(t);
		if (!owners.empty())
			reject(m.value.offset, "a " + std::string(type) + " rule takes no \"" + m.key + "\" (a key of " + owners +
						       " rules: docs/rules.md)");
	}
}
const std::vector<std::string_view> kConditionKeys = {"field", "equals", "in", "prefix", "suffix", "contains",
						      "glob", "cidr", "lt", "le", "gt", "ge", "any_bits", "all", "any", "not"};

std::vector<std::string_view> kind_names()
{
	std::vector<std::string_view> names;
	for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++)
		names.push_back(record_kind_name(k));
	return names;
}

std::vector<std::string_view> field_names()
{
	std::vector<std::string_view> names;
	for (size_t i = 0; i < static_cast<size_t>(Field::count_); i++)
		names.push_back(field_info(static_cast<Field>(i)).name);
	return names;
}

class Compiler : public RuleParts {
public:
	explicit Compiler(const JsonValue &root) : root_(root), set_(std::make_unique<RuleSet>()) {}

	std::unique_ptr<RuleSet> run()
	{
		if (const JsonValue *lists = root_.get("lists"))
			read_lists(*lists);
		const JsonValue *rules = root_.get("rules");
		if (!rules)
			reject(root_.offset, "missing \"rules\": expected an array of rule objects");
		expect(*rules, Type::array, "\"rules\"");
		std::set<std::string> ids;
		for (const JsonValue &r : rules->items)
			compile_rule(r, ids);
		set_->index_by_kind();
		return std::move(set_);
	}

private:
	void read_lists(const JsonValue &lists)
	{
		expect(lists, Type::object, "\"lists\"");
		for (const auto &m : lists.members) {
			expect(m.value, Type::array, "list \"" + m.key + "\"");
			for (const JsonValue &item : m.value.items)
				if (item.type != Type::string && item.type != Type::integer)
					reject(item.offset, "list \"" + m.key + "\": expected strings or integers, found " +
								    type_name(item.type));
			lists_[m.key] = &m.value;
		}
	}

	uint32_t events(const JsonValue &v) override { return parse_events(v); }
	uint32_t condition(const JsonValue *v, uint32_t kinds) override
	{
		return v ? condition(*v, kinds, 0) : add_node({NodeOp::all});
	}
	RuleSet &set() override { return *set_; }

	// A value, an array of values, or {"list": "name"} (also inside arrays).
	void gather(const JsonValue &v, std::vector<const JsonValue *> &out) override
	{
		switch (v.type) {
		case Type::array:
			for (const JsonValue &item : v.items) {
				if (item.type == Type::array)
					reject(item.offset, "expected a value or {\"list\": NAME}, found a nested array");
				gather(item, out);
			}
			return;
		case Type::object: {
			const JsonValue *name = v.get("list");
			if (!name || v.members.size() != 1)
				reject(v.offset, "expected {\"list\": NAME} naming a list from \"lists\"");
			expect(*name, Type::string, "\"list\"");
			auto it = lists_.find(name->string);
			if (it == lists_.end()) {
				std::vector<std::string_view> known;
				for (const auto &l : lists_)
					known.push_back(l.first);
				reject(name->offset, "no list named \"" + name->string + "\" in \"lists\"" +
							     (known.empty() ? std::string() : did_you_mean(name->string, known)));
			}
			for (const JsonValue &item : it->second->items)
				out.push_back(&item);
			return;
		}
		default: out.push_back(&v);
		}
	}

	uint32_t parse_events(const JsonValue &v)
	{
		std::vector<const JsonValue *> names;
		gather(v, names);
		if (names.empty())
			reject(v.offset, "\"events\": expected at least one event kind");
		uint32_t kinds = 0;
		for (const JsonValue *n : names) {
			expect(*n, Type::string, "event kind");
			uint32_t bit = 0;
			for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++) {
				std::string_view name = record_kind_name(k);
				bool family = n->string.ends_with("_*") &&
					      name.starts_with(std::string_view(n->string).substr(0, n->string.size() - 1));
				if (name == n->string || family || n->string == "*")
					bit |= kind_bit(k);
			}
			if (!bit)
				reject(n->offset, "unknown event kind \"" + n->string + "\"" + did_you_mean(n->string, kind_names()));
			kinds |= bit;
		}
		return kinds;
	}

	void compile_rule(const JsonValue &r, std::set<std::string> &ids)
	{
		expect(r, Type::object, "rule");
		check_keys(r, kRuleKeys, "rule");
		Rule rule;
		const JsonValue *id = r.get("id");
		if (!id)
			reject(r.offset, "rule: missing \"id\" (a name such as \"EXEC_FROM_TMP\")");
		expect(*id, Type::string, "\"id\"");
		if (id->string.empty() || id->string.size() > 64 ||
		    id->string.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-") !=
			    std::string::npos)
			reject(id->offset, "\"id\": expected 1 to 64 letters, digits or _ . : -");
		if (!ids.insert(id->string).second)
			reject(id->offset, "duplicate rule id \"" + id->string + "\"");
		rule.id = id->string;
		if (const JsonValue *d = r.get("description"))
		{
			rule.description = expect(*d, Type::string, "\"description\"").string;
			if (rule.description.size() > 1024)
				reject(d->offset, "\"description\": expected at most 1024 bytes");
		}
		const JsonValue *sev = r.get("severity");
		if (!sev)
			reject(r.offset, "rule " + rule.id + ": missing \"severity\" (info, low, medium, high or critical)");
		expect(*sev, Type::string, "\"severity\"");
		if (!severity_by_name(sev->string, rule.severity))
			reject(sev->offset, "unknown severity \"" + sev->string + "\"" +
						    did_you_mean(sev->string, {"info", "low", "medium", "high", "critical"}));
		if (const JsonValue *a = r.get("attack"))
			rule.attack = attack_ids(*a);
		bool enabled = true;
		if (const JsonValue *e = r.get("enabled"))
			enabled = expect(*e, Type::boolean, "\"enabled\"").boolean;

		std::string type = "match";
		if (const JsonValue *t = r.get("type")) {
			type = expect(*t, Type::string, "\"type\"").string;
			if (!std::ranges::count(kRuleTypes, type))
				reject(t->offset, "unknown rule type \"" + type + "\"" + did_you_mean(type, kRuleTypes));
		}
		check_type_keys(r, type);
		if (type == "dropper")
			compile_dropper(*this, r, rule);
		else if (type == "sequence")
			compile_sequence(*this, r, rule);
		else if (type == "threshold")
			compile_threshold(*this, r, rule);
		else
			compile_match(r, rule);
		if (const JsonValue *a = r.get("action"))
			compile_action(*a, rule);
		if (enabled)
			set_->rules.push_back(std::move(rule));
	}

	// "action": "alert" (the default) or "kill", on a rule the kernel can
	// check (engine/kill_table.h) that would not kill guard itself.
	void compile_action(const JsonValue &a, Rule &rule)
	{
		const std::string &action = expect(a, Type::string, "\"action\"").string;
		if (action == "alert")
			return;
		if (action != "kill")
			reject(a.offset, "unknown action \"" + action + "\"" + did_you_mean(action, {"alert", "kill"}));
		rule.action = RuleAction::kill;
		if (std::string problem = kill_rule_problem(*set_, rule); !problem.empty())
			reject(a.offset, "rule " + rule.id + ": " + problem);
		if (kill_rule_matches_self(*set_, rule))
			reject(a.offset, "rule " + rule.id + ": \"action\": \"kill\" would kill guard itself (it names the file "
					 "/proc/self/exe is)");
	}

	std::vector<std::string> attack_ids(const JsonValue &a)
	{
		expect(a, Type::array, "\"attack\"");
		if (a.items.empty())
			reject(a.offset, "\"attack\": expected at least one MITRE ATT&CK technique id such as \"T1053.003\"");
		std::vector<std::string> ids;
		for (const JsonValue &id : a.items) {
			expect(id, Type::string, "\"attack\" entry");
			if (!is_attack_id(id.string))
				reject(id.offset, "\"attack\": expected a MITRE ATT&CK technique id (T and 4 digits, "
						  "optionally . and 3 digits: \"T1059\", \"T1053.003\"), found \"" +
							  id.string + "\"");
			if (std::find(ids.begin(), ids.end(), id.string) != ids.end())
				reject(id.offset, "\"attack\": \"" + id.string + "\" is listed twice");
			ids.push_back(id.string);
		}
		return ids;
	}

	void compile_match(const JsonValue &r, Rule &rule)
	{
		const JsonValue *events = r.get("events");
		if (!events)
			reject(r.offset, "rule " + rule.id + ": missing \"events\" (the event kinds it applies to)");
		rule.kinds = parse_events(*events);
		rule.root = condition(r.get("match"), rule.kinds);
	}

	uint32_t add_node(Node n)
	{
		set_->nodes.push_back(n);
		return static_cast<uint32_t>(set_->nodes.size() - 1);
	}

	uint32_t condition(const JsonValue &v, uint32_t kinds, size_t depth)
	{
		if (depth > kMaxConditionDepth)
			reject(v.offset, "conditions nested too deeply (more than 32 levels)");
		if (v.type != Type::object)
			reject(v.offset, std::string("expected a condition object ({\"field\": ..., \"equals\": ...}, "
						     "{\"all\": [...]}, {\"any\": [...]} or {\"not\": {...}}), found ") +
						 type_name(v.type));
		check_keys(v, kConditionKeys, "condition");
		for (const char *group : {"all", "any", "not"})
			if (const JsonValue *g = v.get(group)) {
				if (v.members.size() != 1)
					reject(v.offset, std::string("\"") + group + "\" must be the only key of its condition object");
				if (std::string_view(group) == "not") {
					uint32_t child = condition(*g, kinds, depth + 1);
					return add_node({NodeOp::not_, Field::pid, Cmp::lt, child, 1, 0});
				}
				expect(*g, Type::array, std::string("\"") + group + "\"");
				if (g->items.empty())
					reject(g->offset, std::string("\"") + group + "\": expected at least one condition");
				std::vector<uint32_t> kids;
				for (const JsonValue &c : g->items)
					kids.push_back(condition(c, kinds, depth + 1));
				if (std::string_view(group) == "all")
					check_contradictions(*g, kids);
				Node n{std::string_view(group) == "all" ? NodeOp::all : NodeOp::any};
				n.first = static_cast<uint32_t>(set_->children.size());
				n.count = static_cast<uint32_t>(kids.size());
				set_->children.insert(set_->children.end(), kids.begin(), kids.end());
				return add_node(n);
			}
		return field_condition(v, kinds);
	}

	uint32_t field_condition(const JsonValue &v, uint32_t kinds)
	{
		const JsonValue *fname = v.get("field");
		if (!fname)
			reject(v.offset, "condition: missing \"field\" (or use \"all\", \"any\", \"not\")");
		expect(*fname, Type::string, "\"field\"");
		Field field;
		if (!field_by_name(fname->string, field))
			reject(fname->offset, "unknown field \"" + fname->string + "\"" + did_you_mean(fname->string, field_names()));
		const FieldInfo &info = field_info(field);
		if ((info.kinds & kinds) != kinds)
			reject(fname->offset, "field \"" + fname->string + "\" does not exist on " +
						      kinds_text(kinds & ~info.kinds) + " (it exists on " +
						      kinds_text(info.kinds) + ")");
		if (field == Field::ancestor_comm || field == Field::ancestor_exe)
			set_->needs_ancestry = true;
		if (v.members.size() != 2)
			reject(v.offset, "condition on \"" + fname->string +
						 "\": expected exactly one operator (equals, in, prefix, suffix, contains, glob, "
						 "cidr, lt, le, gt, ge, any_bits)");
		const JsonValue::Member &op = v.members[0].key == "field" ? v.members[1] : v.members[0];
		switch (info.type) {
		case FieldType::string: return string_condition(op, field);
		case FieldType::number: return number_condition(op, field);
		case FieldType::boolean: return bool_condition(op, field);
		case FieldType::address: return address_condition(op, field);
		}
		reject(v.offset, "unsupported field type");
	}

	[[noreturn]] void wrong_operator(const JsonValue::Member &op, Field f, const char *allowed)
	{
		reject(op.key_offset, "operator \"" + op.key + "\" does not apply to field \"" +
					      std::string(field_info(f).name) + "\" (" + allowed + ")");
	}

	uint32_t string_condition(const JsonValue::Member &op, Field f)
	{
		static const std::map<std::string_view, NodeOp> ops = {
			{"equals", NodeOp::str_equals}, {"in", NodeOp::str_equals}, {"prefix", NodeOp::str_prefix},
			{"suffix", NodeOp::str_suffix}, {"contains", NodeOp::str_contains}, {"glob", NodeOp::str_glob}};
		auto it = ops.find(op.key);
		if (it == ops.end())
			wrong_operator(op, f, "a string: equals, in, prefix, suffix, contains, glob");
		if (const JsonValue *files = op.value.type == Type::object ? op.value.get("sha256_of") : nullptr)
			return compile_sha256_of(*this, op, f, *files);
		std::vector<const JsonValue *> values;
		if (op.key == "equals" && op.value.type != Type::string)
			reject(op.value.offset, std::string("\"equals\": expected a string (use \"in\" for a list), found ") +
							type_name(op.value.type));
		gather(op.value, values);
		if (values.empty())
			reject(op.value.offset, "\"" + op.key + "\": expected at least one string");
		Node n{it->second, f};
		n.first = static_cast<uint32_t>(set_->literals.size());
		for (const JsonValue *s : values) {
			expect(*s, Type::string, "\"" + op.key + "\" on \"" + std::string(field_info(f).name) + "\"");
			check_string_value(f, n.op, *s);
			set_->literals.push_back(s->string);
		}
		n.count = static_cast<uint32_t>(values.size());
		return add_node(n);
	}

	uint32_t number_condition(const JsonValue::Member &op, Field f)
	{
		static const std::map<std::string_view, Cmp> cmps = {
			{"lt", Cmp::lt}, {"le", Cmp::le}, {"gt", Cmp::gt}, {"ge", Cmp::ge}};
		if (auto it = cmps.find(op.key); it != cmps.end()) {
			expect(op.value, Type::integer, "\"" + op.key + "\"");
			check_number_value(f, op.value, true);
			return add_node({NodeOp::num_cmp, f, it->second, 0, 0, op.value.integer});
		}
		if (op.key == "any_bits") {
			expect(op.value, Type::integer, "\"any_bits\"");
			check_number_value(f, op.value, true);
			if (op.value.integer <= 0)
				reject(op.value.offset, "\"any_bits\": expected a positive integer (the bits, such as 3072 for 06000)");
			return add_node({NodeOp::num_bits, f, Cmp::lt, 0, 0, op.value.integer});
		}
		if (op.key != "equals" && op.key != "in")
			wrong_operator(op, f, "a number: equals, in, lt, le, gt, ge, any_bits");
		if (op.key == "equals" && op.value.type != Type::integer)
			reject(op.value.offset, std::string("\"equals\": expected an integer (use \"in\" for a list), found ") +
							type_name(op.value.type));
		std::vector<const JsonValue *> values;
		gather(op.value, values);
		if (values.empty())
			reject(op.value.offset, "\"in\": expected at least one integer");
		Node n{NodeOp::num_in, f};
		n.first = static_cast<uint32_t>(set_->numbers.size());
		for (const JsonValue *x : values) {
			expect(*x, Type::integer, "\"" + op.key + "\"");
			check_number_value(f, *x, false);
			set_->numbers.push_back(x->integer);
		}
		n.count = static_cast<uint32_t>(values.size());
		return add_node(n);
	}

	uint32_t bool_condition(const JsonValue::Member &op, Field f)
	{
		if (op.key != "equals")
			wrong_operator(op, f, "a boolean: equals true or false");
		expect(op.value, Type::boolean, "\"equals\" on \"" + std::string(field_info(f).name) + "\"");
		set_->numbers.push_back(op.value.boolean ? 1 : 0);
		return add_node({NodeOp::num_in, f, Cmp::lt, static_cast<uint32_t>(set_->numbers.size() - 1), 1, 0});
	}

	uint32_t address_condition(const JsonValue::Member &op, Field f)
	{
		if (op.key != "equals" && op.key != "in" && op.key != "cidr")
			wrong_operator(op, f, "an address: equals, in, cidr");
		std::vector<const JsonValue *> values;
		gather(op.value, values);
		if (values.empty())
			reject(op.value.offset, "\"" + op.key + "\": expected at least one address");
		Node n{NodeOp::addr_cidr, f};
		n.first = static_cast<uint32_t>(set_->cidrs.size());
		for (const JsonValue *x : values) {
			expect(*x, Type::string, "\"" + op.key + "\" on \"addr\"");
			Cidr c;
			if (!parse_cidr(x->string, c, op.key == "cidr"))
				reject(x->offset, op.key == "cidr"
							  ? "\"cidr\": expected ADDRESS/PREFIX such as \"10.0.0.0/8\" or \"fe80::/10\", found \"" + x->string + "\""
							  : "expected an IPv4 or IPv6 address, found \"" + x->string + "\"");
			set_->cidrs.push_back(c);
		}
		n.count = static_cast<uint32_t>(values.size());
		return add_node(n);
	}

	// Within one "all": number bounds on a field that no value can meet, and
	// a string field required to equal two different single values.
	void check_contradictions(const JsonValue &where, const std::vector<uint32_t> &kids)
	{
		std::map<Field, std::pair<int64_t, int64_t>> bounds;
		std::map<Field, const std::string *> equal_to;
		for (uint32_t k : kids) {
			const Node &n = set_->nodes[k];
			if (n.op == NodeOp::num_cmp) {
				auto [lo, hi] = bounds.try_emplace(n.field, INT64_MIN, INT64_MAX).first->second;
				switch (n.cmp) {
				case Cmp::lt: hi = std::min(hi, n.value == INT64_MIN ? INT64_MIN : n.value - 1); break;
				case Cmp::le: hi = std::min(hi, n.value); break;
				case Cmp::gt: lo = std::max(lo, n.value == INT64_MAX ? INT64_MAX : n.value + 1); break;
				case Cmp::ge: lo = std::max(lo, n.value); break;
				}
				bool empty = lo > hi || (n.cmp == Cmp::lt && n.value == INT64_MIN) ||
					     (n.cmp == Cmp::gt && n.value == INT64_MAX);
				bounds[n.field] = {lo, hi};
				if (empty)
					reject(where.offset, "contradictory conditions: no value of \"" +
								     std::string(field_info(n.field).name) +
								     "\" meets all of its comparisons");
			}
			if (n.op == NodeOp::str_equals && n.count == 1) {
				const std::string *lit = &set_->literals[n.first];
				auto [it, fresh] = equal_to.try_emplace(n.field, lit);
				if (!fresh && *it->second != *lit)
					reject(where.offset, "contradictory conditions: \"" +
								     std::string(field_info(n.field).name) + "\" cannot equal both \"" +
								     *it->second + "\" and \"" + *lit + "\"");
			}
		}
	}

	const JsonValue &root_;
	std::unique_ptr<RuleSet> set_;
	std::map<std::string, const JsonValue *> lists_;
};

} // namespace

std::unique_ptr<RuleSet> compile_rule_set(const JsonValue &root) { return Compiler(root).run(); }

// "exec, file_open": the names of the kinds in a kind_bit() mask.
std::string kinds_text(uint32_t kinds)
{
	std::string s;
	for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++)
		if (kinds & kind_bit(k))
			s += (s.empty() ? "" : ", ") + std::string(record_kind_name(k));
	return s;
}

} // namespace guard::rules
