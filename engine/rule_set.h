// Compiled rules: what rules/ builds from a rules file and the engine runs.
// Conditions are a flat array of nodes (a tree by index); literals are
// resolved once at compile time (field names to Field, addresses to bytes,
// lists inlined). Each record kind has its own list of rules to try, so an
// event is only tested against rules that name its kind.
//
// A RuleSet is immutable once built except for the dropper rules' state,
// which only the engine thread touches. Reload builds a new RuleSet aside and
// swaps a pointer.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "abi/guard_abi.h"
#include "engine/dropper.h"
#include "engine/event_fields.h"

namespace guard {

enum class Severity : uint8_t { info, low, medium, high, critical };
const char *severity_name(Severity s);
bool severity_by_name(std::string_view name, Severity &out);

enum class NodeOp : uint8_t {
	all,        // children [first, first+count) all hold
	any,        // one of them holds
	not_,       // child `first` does not hold
	str_equals, // the string equals one of literals [first, first+count)
	str_prefix,
	str_suffix,
	str_contains,
	str_glob,
	addr_cidr,  // the address lies in one of cidrs [first, first+count)
	num_in,     // the number equals one of numbers [first, first+count)
	num_cmp,    // the number compares with `value` by `cmp`
};

enum class Cmp : uint8_t { lt, le, gt, ge };

struct Node {
	NodeOp op = NodeOp::all;
	Field field = Field::pid;
	Cmp cmp = Cmp::lt;
	uint32_t first = 0;
	uint32_t count = 0;
	int64_t value = 0;
};

struct Cidr {
	uint8_t len = 4;  // 4 (IPv4) or 16 (IPv6) address bytes
	uint8_t prefix = 0;
	uint8_t bytes[16] = {};
};

constexpr uint32_t no_gate = UINT32_MAX;

struct Rule {
	std::string id;
	std::string description;
	Severity severity = Severity::medium;
	uint32_t kinds = 0;   // kind_bit() of each kind it applies to
	uint32_t root = 0;    // condition node; ignored for droppers
	int dropper = -1;     // index in RuleSet::droppers, or -1 for a plain rule
	// A test the rule cannot match without (its first test when the
	// condition is all-of, or the condition itself when it is one test), as
	// the first node equal to it in the set, or no_gate. Rules written
	// together often start with the same test ("modify" for the persistence
	// rules): match_event evaluates it once for a run of them. Set by
	// index_by_kind.
	uint32_t gate = no_gate;
};

// The first bytes (up to 8) any string a literal matches must start with:
// for equals and prefix the literal's own, for a glob those before its first
// wildcard, none for suffix and contains. One masked compare turns down most
// literals of a long list (33 globs for the persistence rules) before the
// real test runs.
struct LiteralHead {
	uint64_t bytes = 0;
	uint64_t mask = 0; // 0xFF for each byte that must match
};

// The first 8 bytes of s, zero-padded, in the layout of LiteralHead::bytes.
inline uint64_t string_head(std::string_view s)
{
	uint64_t h = 0;
	if (!s.empty()) // an absent field is a string_view with no data at all
		std::memcpy(&h, s.data(), s.size() < 8 ? s.size() : 8);
	return h;
}

// How match_event walks one kind's rules (made by index_by_kind from
// by_kind, keeping file order): runs of rules that share a gate, each run's
// gate tested once. A rule whose condition is its gate alone has no test
// left (root no_gate); an ungated rule is a run of one with gate no_gate.
struct RuleCandidate {
	uint32_t rule;
	uint32_t root; // what is left to test once the run's gate holds, or no_gate
};
struct GateRun {
	uint32_t gate;  // a node, or no_gate
	uint32_t first; // candidates [first, first + count) of RuleSet::candidates
	uint32_t count;
};

struct RuleSet {
	std::vector<Rule> rules;
	std::vector<Node> nodes;
	std::vector<uint32_t> children;
	std::vector<std::string> literals;
	std::vector<LiteralHead> literal_heads; // one per literal, made by index_by_kind
	std::vector<Cidr> cidrs;
	std::vector<int64_t> numbers;
	std::vector<DropperRule> droppers;
	std::vector<uint32_t> by_kind[GUARD_RECORD_KIND_MAX]; // plain rules per kind, file order
	std::vector<GateRun> runs_by_kind[GUARD_RECORD_KIND_MAX]; // the same rules as gate runs
	std::vector<RuleCandidate> candidates;                   // what the runs index
	bool needs_ancestry = false; // some rule tests ancestor_*

	// Finishes a set whose rules are all added: fills by_kind, each rule's
	// gate, the gate runs and the literals' heads (rule_index.cpp).
	void index_by_kind();
};

// Most matches one event can report; more are counted but not named.
constexpr size_t max_matches = 16;

// Tests ev against every rule for its kind (and feeds the droppers). Writes
// the indices of the rules that matched to out, in rule order; returns how
// many. Matches past max_matches are added to over_limit. Allocates nothing.
size_t match_event(RuleSet &set, const EventView &ev, uint32_t out[max_matches], uint64_t &over_limit);

// For tests and `guard rules check`: does node hold for ev.
bool eval_node(const RuleSet &set, uint32_t node, const EventView &ev);

} // namespace guard
