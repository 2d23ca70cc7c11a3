/* SPDX-License-Identifier: GPL-2.0-or-later */
// Appending condition nodes to a RuleSet (rule_set.h: a flat array, a tree
// by index), and taking back what a rule added when it is skipped halfway.
#pragma once

#include <vector>

#include "engine/rule_set.h"

namespace guard::sigma {

class NodeBuilder {
public:
	explicit NodeBuilder(RuleSet &set) : set_(set) {}

	RuleSet &set() { return set_; }

	uint32_t add(Node n)
	{
		set_.nodes.push_back(n);
		return static_cast<uint32_t>(set_.nodes.size() - 1);
	}

	// all() of nothing holds for every event, any() of nothing for none.
	uint32_t constant(bool value) { return add({value ? NodeOp::all : NodeOp::any}); }

	// Whether node is a constant, and which.
	bool is_constant(uint32_t node, bool &value) const
	{
		const Node &n = set_.nodes[node];
		if ((n.op != NodeOp::all && n.op != NodeOp::any) || n.count != 0)
			return false;
		value = n.op == NodeOp::all;
		return true;
	}

	// all or any of kids, constants folded (a field guard does not have
	// makes its tests constant); a group of one is that one.
	uint32_t group(NodeOp op, const std::vector<uint32_t> &all_kids)
	{
		std::vector<uint32_t> kids;
		for (uint32_t k : all_kids) {
			bool value;
			if (!is_constant(k, value))
				kids.push_back(k);
			else if (value != (op == NodeOp::all))
				return constant(value); // false in an all, true in an any
		}
		if (kids.empty())
			return constant(op == NodeOp::all);
		if (kids.size() == 1)
			return kids[0];
		Node n{op};
		n.first = static_cast<uint32_t>(set_.children.size());
		n.count = static_cast<uint32_t>(kids.size());
		set_.children.insert(set_.children.end(), kids.begin(), kids.end());
		return add(n);
	}

	uint32_t negate(uint32_t kid)
	{
		bool value;
		return is_constant(kid, value) ? constant(!value) : add({NodeOp::not_, Field::pid, Cmp::lt, kid, 1, 0});
	}

	// The sizes of the set's arrays, to go back to when a rule is skipped.
	struct Mark {
		size_t nodes, children, literals, cidrs, numbers, regexes;
	};
	Mark mark() const
	{
		return {set_.nodes.size(), set_.children.size(), set_.literals.size(),
			set_.cidrs.size(), set_.numbers.size(), set_.regexes.size()};
	}
	void rewind(const Mark &m)
	{
		set_.nodes.resize(m.nodes);
		set_.children.resize(m.children);
		set_.literals.resize(m.literals);
		set_.cidrs.resize(m.cidrs);
		set_.numbers.resize(m.numbers);
		set_.regexes.resize(m.regexes);
	}

private:
	RuleSet &set_;
};

} // namespace guard::sigma
