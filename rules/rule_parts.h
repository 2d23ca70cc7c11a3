/* SPDX-License-Identifier: GPL-2.0-or-later */
// What the rules compiler (compile.cpp) lends the compilers of the other
// rule types (correlation_compile.cpp): event lists, conditions and value
// lists, compiled into the RuleSet being built. Each throws RuleError
// pointing at the offending value.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/rule_set.h"
#include "rules/json_tree.h"

namespace guard::rules {

class RuleParts {
public:
	virtual ~RuleParts() = default;
	// "events": the kinds named, as kind_bit()s.
	virtual uint32_t events(const JsonValue &v) = 0;
	// A condition on events of kinds; without one (nullptr), every event.
	virtual uint32_t condition(const JsonValue *v, uint32_t kinds) = 0;
	// A value, an array, {"list": NAME}, or an array mixing them, as values.
	virtual void gather(const JsonValue &v, std::vector<const JsonValue *> &out) = 0;
	virtual RuleSet &set() = 0;
};

// The rule r of "type" dropper, sequence or threshold, into rule.
void compile_dropper(RuleParts &parts, const JsonValue &r, Rule &rule);
void compile_sequence(RuleParts &parts, const JsonValue &r, Rule &rule);
void compile_threshold(RuleParts &parts, const JsonValue &r, Rule &rule);

} // namespace guard::rules
