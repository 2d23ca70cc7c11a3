// Finishing a compiled rule set for matching: the per-kind lists of rules and
// each rule's gate (rule_set.h). Runs once per rules file, never per event.
#include <algorithm>
#include <cstring>

#include "engine/rule_set.h"

namespace guard {

namespace {

template <class T>
bool same_range(const std::vector<T> &v, const Node &a, const Node &b)
{
	return std::equal(v.begin() + a.first, v.begin() + a.first + a.count, v.begin() + b.first);
}

bool same_cidrs(const RuleSet &set, const Node &a, const Node &b)
{
	for (uint32_t i = 0; i < a.count; i++) {
		const Cidr &x = set.cidrs[a.first + i], &y = set.cidrs[b.first + i];
		if (x.len != y.len || x.prefix != y.prefix || !std::equal(x.bytes, x.bytes + 16, y.bytes))
			return false;
	}
	return true;
}

// Two single tests (not all/any/not) that hold for exactly the same events:
// same operation on the same field with the same literals.
bool same_test(const RuleSet &set, const Node &a, const Node &b)
{
	if (a.op != b.op || a.field != b.field || a.count != b.count)
		return false;
	switch (a.op) {
	case NodeOp::all:
	case NodeOp::any:
	case NodeOp::not_: return false;
	case NodeOp::str_equals:
	case NodeOp::str_prefix:
	case NodeOp::str_suffix:
	case NodeOp::str_contains:
	case NodeOp::str_glob: return same_range(set.literals, a, b);
	case NodeOp::addr_cidr: return same_cidrs(set, a, b);
	case NodeOp::num_in: return same_range(set.numbers, a, b);
	case NodeOp::num_cmp: return a.cmp == b.cmp && a.value == b.value;
	}
	return false;
}

bool is_test(const Node &n) { return n.op != NodeOp::all && n.op != NodeOp::any && n.op != NodeOp::not_; }

// The first single test a rule's condition needs, or no_gate: the condition
// itself, or the first test down a chain of leading all-of nodes.
uint32_t gate_of(const RuleSet &set, uint32_t node)
{
	for (;;) {
		const Node &n = set.nodes[node];
		if (is_test(n))
			return node;
		if (n.op != NodeOp::all || n.count == 0)
			return no_gate;
		node = set.children[n.first];
	}
}

// How many leading bytes of lit every match of op must start with.
size_t fixed_head(NodeOp op, std::string_view lit)
{
	switch (op) {
	case NodeOp::str_equals:
	case NodeOp::str_prefix: return lit.size();
	case NodeOp::str_glob: return std::min(lit.find_first_of("*?[\\"), lit.size());
	default: return 0;
	}
}

} // namespace

void RuleSet::index_by_kind()
{
	literal_heads.assign(literals.size(), LiteralHead{});
	for (const Node &n : nodes) {
		if (!is_test(n) || n.op == NodeOp::addr_cidr || n.op == NodeOp::num_in || n.op == NodeOp::num_cmp)
			continue; // not a string test
		for (uint32_t i = n.first; i < n.first + n.count; i++) {
			size_t len = std::min<size_t>(fixed_head(n.op, literals[i]), 8);
			LiteralHead &h = literal_heads[i];
			std::memcpy(&h.bytes, literals[i].data(), len);
			std::memset(&h.mask, 0xFF, len);
		}
	}
	for (auto &v : by_kind)
		v.clear();
	std::vector<uint32_t> gates; // distinct gates so far
	for (uint32_t i = 0; i < rules.size(); i++) {
		Rule &rule = rules[i];
		if (rule.dropper >= 0)
			continue;
		rule.gate = gate_of(*this, rule.root);
		if (rule.gate != no_gate) {
			auto same = std::find_if(gates.begin(), gates.end(),
						 [&](uint32_t g) { return same_test(*this, nodes[g], nodes[rule.gate]); });
			if (same != gates.end())
				rule.gate = *same;
			else
				gates.push_back(rule.gate);
		}
		for (uint16_t k = 0; k < GUARD_RECORD_KIND_MAX; k++)
			if (rule.kinds & kind_bit(k))
				by_kind[k].push_back(i);
	}
	candidates.clear();
	for (uint16_t k = 0; k < GUARD_RECORD_KIND_MAX; k++) {
		runs_by_kind[k].clear();
		for (uint32_t i : by_kind[k]) {
			const Rule &rule = rules[i];
			std::vector<GateRun> &runs = runs_by_kind[k];
			if (runs.empty() || rule.gate == no_gate || runs.back().gate != rule.gate)
				runs.push_back({rule.gate, static_cast<uint32_t>(candidates.size()), 0});
			candidates.push_back({i, rule.gate == rule.root ? no_gate : rule.root});
			runs.back().count++;
		}
	}
}

} // namespace guard
