/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include "engine/correlation.h"
#include "engine/dropper.h"
#include "engine/event_fields.h"
#include "engine/user_names.h"
#include "engine/watched_files.h"

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
	str_regex,    // one of regexes [first, first+count) matches somewhere in the string
	str_fieldref, // the string equals that of field `value` (a Field)
	addr_cidr,  // the address lies in one of cidrs [first, first+count)
	num_in,     // the number equals one of numbers [first, first+count)
	num_cmp,    // the number compares with `value` by `cmp`
	num_bits,   // the number has one of the bits of `value` set
};

enum class Cmp : uint8_t { lt, le, gt, ge };

// What a match does besides the alert: kill has the kernel kill the process
// (engine/kill_table.h says which conditions it can check).
enum class RuleAction : uint8_t { alert, kill };

struct Node {
	NodeOp op = NodeOp::all;
	Field field = Field::pid;
	Cmp cmp = Cmp::lt;
	uint32_t first = 0;
	uint32_t count = 0;
	int64_t value = 0;
	// String tests: ASCII letters compare without case (Sigma's default);
	// the literals are stored in lower case.
	bool nocase = false;
};

struct Cidr {
	uint8_t len = 4;  // 4 (IPv4) or 16 (IPv6) address bytes
	uint8_t prefix = 0;
	uint8_t bytes[16] = {};
};

constexpr uint32_t no_gate = UINT32_MAX;

// A compiled regular expression (Sigma's `re`): made once at load by rules
// code (sigma/ wraps Hyperscan), asked per event; the engine does not know how.
class TextMatcher {
public:
	virtual ~TextMatcher() = default;
	virtual bool matches(std::string_view text) const = 0; // somewhere in text
	virtual std::string_view pattern() const = 0;
};

// What a rule loaded from a Sigma file adds to its alerts.
struct SigmaInfo {
	std::string id;                // the rule's UUID (may be empty)
	std::string level;             // as written: informational, low, ...
	std::vector<std::string> tags; // attack.t1059, ...
};

struct Rule {
	// Written into output lines as it is, between quotes: guard's own ids
	// need no escaping; a Sigma title is kept here JSON-escaped.
	std::string id;
	std::string description;
	Severity severity = Severity::medium;
	uint32_t kinds = 0;   // kind_bit() of each kind it applies to
	uint32_t root = 0;    // condition node; ignored for droppers
	int dropper = -1;     // index in RuleSet::droppers, or -1 for a plain rule
	RuleAction action = RuleAction::alert;
	int sequence = -1;    // index in RuleSet::sequences, or -1
	int threshold = -1;   // index in RuleSet::thresholds, or -1
	bool correlated() const { return dropper >= 0 || sequence >= 0 || threshold >= 0; }
	// A test the rule cannot match without (its first test when the
	// condition is all-of, or the condition itself when it is one test), as
	// the first node equal to it in the set, or no_gate. Rules written
	// together often start with the same test ("modify" for the persistence
	// rules): match_event evaluates it once for a run of them. Set by
	// index_by_kind.
	uint32_t gate = no_gate;
	std::shared_ptr<const SigmaInfo> sigma; // null for guard's own rules
	// MITRE ATT&CK technique ids ("T1053.003"), checked at load; written
	// into each alert as "attack".
	std::vector<std::string> attack;
};

// What every string a literal matches must look like at its ends, checked
// before the real test: one masked compare of the first 8 bytes (for equals
// and prefix the literal's own, for a glob those before its first wildcard;
// none for suffix and contains), one of the last 8 (for equals and suffix the
// literal's own, for a glob without classes or escapes those after its last
// '*', '?' masked out) and a least length. They turn down most literals of a
// long list before the real test runs: an open's path against the 33
// persistence globs, and "*/.ssh/authorized_keys" against any path that does
// not end so, without a backtracking glob.
struct LiteralFilter {
	uint64_t head = 0;
	uint64_t head_mask = 0; // 0xFF for each byte that must match
	uint64_t tail = 0;      // right-aligned: the string's last byte is the window's last
	uint64_t tail_mask = 0;
	uint32_t min_len = 0;
};

// A string test's filter over all its literals: the byte at one position
// from the start (and one from the end) that every literal fixes, with the
// set of values they allow there (rule_index.cpp picks the position). One
// bit test turns down the whole list for most strings: a path under /tmp
// against the systemd globs, which all start "/e", "/l", "/u", "/r" or "/h".
// at = 0: no such position.
struct NodeFilter {
	uint8_t head_at = 0;                // 1 + the byte's index from the start, or 0
	uint8_t tail_at = 0;                // the byte's distance from the end (1: the last), or 0
	uint64_t head_bytes[4] = {};        // bit b: some literal allows byte b there
	uint64_t tail_bytes[4] = {};
	uint32_t min_len = 0;               // the fewest bytes any literal can match

	bool may_match(std::string_view s) const
	{
		if (s.size() < min_len)
			return false;
		if (head_at) {
			auto b = static_cast<unsigned char>(s[head_at - 1u]); // min_len >= head_at
			if (!(head_bytes[b >> 6] >> (b & 63) & 1))
				return false;
		}
		if (tail_at) {
			auto b = static_cast<unsigned char>(s[s.size() - tail_at]);
			if (!(tail_bytes[b >> 6] >> (b & 63) & 1))
				return false;
		}
		return true;
	}
};

// The first 8 bytes of s, zero-padded, in the layout of LiteralFilter::head.
inline uint64_t string_head(std::string_view s)
{
	uint64_t h = 0;
	if (!s.empty()) // an absent field is a string_view with no data at all
		std::memcpy(&h, s.data(), s.size() < 8 ? s.size() : 8);
	return h;
}

// The last 8 bytes of s, right-aligned and zero-padded in front, in the
// layout of LiteralFilter::tail.
inline uint64_t string_tail(std::string_view s)
{
	uint64_t t = 0;
	if (s.size() >= 8)
		std::memcpy(&t, s.data() + s.size() - 8, 8);
	else if (!s.empty())
		std::memcpy(reinterpret_cast<char *>(&t) + (8 - s.size()), s.data(), s.size());
	return t;
}

// How match_event walks one kind's rules (made by index_by_kind from
// by_kind, keeping file order): runs of rules that share a gate, each run's
// gate tested once. What a rule has left to test once its gate holds: its
// whole condition again (root), or, when the gate is the first test of an
// all-of condition, only the tests after it (children [rest_first,
// rest_first + rest_count), all of which must hold), or nothing (the gate was
// the whole condition). An ungated rule is a run of one with gate no_gate.
struct RuleCandidate {
	uint32_t rule;
	uint32_t root = no_gate; // a node to test, or no_gate
	uint32_t rest_first = 0;
	uint32_t rest_count = 0;
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
	std::vector<LiteralFilter> literal_filters; // one per literal, made by index_by_kind
	std::vector<NodeFilter> node_filters;       // one per node (string tests only), made by index_by_kind
	std::vector<Cidr> cidrs;
	std::vector<int64_t> numbers;
	std::vector<std::unique_ptr<const TextMatcher>> regexes;
	// uid -> user name, read from the passwd database at load when a rule
	// tests `user` (never per event).
	UserNames user_names;
	std::vector<DropperRule> droppers;
	std::vector<SequenceRule> sequences;
	std::vector<ThresholdRule> thresholds;
	std::vector<uint32_t> correlated_by_kind[GUARD_RECORD_KIND_MAX]; // sequence and threshold rules per kind
	std::vector<uint32_t> by_kind[GUARD_RECORD_KIND_MAX]; // plain rules per kind, file order
	std::vector<GateRun> runs_by_kind[GUARD_RECORD_KIND_MAX]; // the same rules as gate runs
	std::vector<RuleCandidate> candidates;                   // what the runs index
	bool needs_ancestry = false; // some rule tests ancestor_*
	// The files "equals"/"in" tests on a path name, by identity too.
	WatchedFiles watched_files;

	// Finishes a set whose rules are all added: fills by_kind, each rule's
	// gate, the gate runs, the literals' filters (rule_index.cpp) and the
	// watched files, resolved to their identities now.
	void index_by_kind();

	// What the correlation rules' full tables forgot inside their windows.
	uint64_t correlation_evicted() const;
};

// Most matches one event can report; more are counted but not named.
constexpr size_t max_matches = 16;

// Tests ev against every rule for its kind (and feeds the droppers). Writes
// the indices of the rules that matched to out, in rule order; returns how
// many. Matches past max_matches are added to over_limit. Allocates nothing.
size_t match_event(RuleSet &set, const EventView &ev, uint32_t out[max_matches], uint64_t &over_limit);

// The sequence and threshold rules' part of match_event
// (engine/correlation_match.cpp): adds their matches to out[0, n); returns
// the new n.
size_t match_correlations(RuleSet &set, const EventView &ev, uint32_t out[max_matches], size_t n, uint64_t &over_limit);

// For tests and `guard rules check`: does node hold for ev.
bool eval_node(const RuleSet &set, uint32_t node, const EventView &ev);

} // namespace guard
