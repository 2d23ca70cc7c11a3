// SPDX-License-Identifier: GPL-2.0-or-later
// Finishing a compiled rule set for matching: the per-kind lists of rules and
// each rule's gate (rule_set.h). Runs once per rules file, never per event.
#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "engine/glob.h"
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
	if (a.op != b.op || a.field != b.field || a.count != b.count || a.nocase != b.nocase)
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
	case NodeOp::str_regex: return a.first == b.first;
	case NodeOp::str_fieldref: return a.value == b.value;
	case NodeOp::addr_cidr: return same_cidrs(set, a, b);
	case NodeOp::num_in: return same_range(set.numbers, a, b);
	case NodeOp::num_cmp: return a.cmp == b.cmp && a.value == b.value;
	case NodeOp::num_bits: return a.value == b.value;
	}
	return false;
}

bool is_test(const Node &n) { return n.op != NodeOp::all && n.op != NodeOp::any && n.op != NodeOp::not_; }

// A test on strings against literals (those get filters).
bool tests_literals(const Node &n)
{
	switch (n.op) {
	case NodeOp::str_equals:
	case NodeOp::str_prefix:
	case NodeOp::str_suffix:
	case NodeOp::str_contains:
	case NodeOp::str_glob: return true;
	default: return false;
	}
}

uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull; }

// Equal for tests same_test finds equal: what they test and with what.
uint64_t test_hash(const RuleSet &set, const Node &n)
{
	uint64_t h = mix(mix(mix(mix(0xcbf29ce484222325ull, uint64_t(n.op)), uint64_t(n.field)), n.count), n.nocase);
	for (uint32_t i = n.first; i < n.first + n.count; i++) {
		switch (n.op) {
		case NodeOp::addr_cidr: h = mix(h, set.cidrs[i].prefix); break;
		case NodeOp::num_in: h = mix(h, static_cast<uint64_t>(set.numbers[i])); break;
		case NodeOp::num_cmp:
		case NodeOp::num_bits: break;
		case NodeOp::str_regex: h = mix(h, i); break;
		case NodeOp::str_fieldref: break;
		default: h = mix(h, std::hash<std::string_view>{}(set.literals[i])); break;
		}
	}
	if (n.op == NodeOp::num_cmp || n.op == NodeOp::num_bits || n.op == NodeOp::str_fieldref)
		h = mix(mix(h, uint64_t(n.cmp)), static_cast<uint64_t>(n.value));
	return h;
}

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

// The text every match of op must end with ('?': any byte there), or empty.
std::string_view fixed_tail(NodeOp op, std::string_view lit)
{
	switch (op) {
	case NodeOp::str_equals:
	case NodeOp::str_suffix: return lit;
	case NodeOp::str_glob: {
		if (lit.find_first_of("[\\") != std::string_view::npos)
			return {}; // a class or an escape: not plain text
		size_t star = lit.rfind('*');
		return star == std::string_view::npos ? lit : lit.substr(star + 1);
	}
	default: return {};
	}
}

// The fewest bytes a string matching op can have.
uint32_t least_length(NodeOp op, std::string_view lit)
{
	if (op != NodeOp::str_glob)
		return static_cast<uint32_t>(lit.size());
	uint32_t n = 0;
	for (size_t i = 0; i < lit.size(); i++) {
		if (lit[i] == '*')
			continue;
		if (lit[i] == '\\') {
			i++;
		} else if (lit[i] == '[') {
			i = glob_class_end(lit, i); // a class is one byte
		}
		n++;
	}
	return n;
}

// The mask of a literal's byte in a filter: a folded text (text_fold.h)
// may hold another byte there (an upper-case letter, a NUL for a space),
// each differing from the literal's in bit 0x20 only.
unsigned char byte_mask(unsigned char c, TextFold fold)
{
	bool letter = c >= 'a' && c <= 'z';
	return (fold.lower && letter) || (fold.nul_space && c == ' ') ? 0xDF : 0xFF;
}

LiteralFilter filter_of(NodeOp op, std::string_view lit, TextFold fold)
{
	LiteralFilter f;
	size_t head = std::min<size_t>(fixed_head(op, lit), 8);
	if (head > 0) { // an empty literal may have no data at all: memcpy must not see it
		std::memcpy(&f.head, lit.data(), head);
		unsigned char mask[8] = {};
		for (size_t i = 0; i < head; i++)
			mask[i] = byte_mask(static_cast<unsigned char>(lit[i]), fold);
		std::memcpy(&f.head_mask, mask, 8);
	}
	std::string_view tail = fixed_tail(op, lit);
	tail = tail.substr(tail.size() - std::min<size_t>(tail.size(), 8));
	unsigned char bytes[8] = {}, mask[8] = {};
	for (size_t i = 0; i < tail.size(); i++) {
		size_t at = 8 - tail.size() + i;
		bool any = op == NodeOp::str_glob && tail[i] == '?';
		bytes[at] = any ? 0 : static_cast<unsigned char>(tail[i]);
		mask[at] = any ? 0 : byte_mask(static_cast<unsigned char>(tail[i]), fold);
	}
	std::memcpy(&f.tail, bytes, 8);
	std::memcpy(&f.tail_mask, mask, 8);
	f.min_len = least_length(op, lit);
	return f;
}

// The byte of each literal at position p of its head (from_end: of its tail,
// p = 1 the last byte), or -1 when some literal does not fix that byte.
int fixed_byte(const LiteralFilter &f, unsigned p, bool from_end)
{
	unsigned shift = from_end ? 8 * (8 - p) : 8 * p;
	uint64_t mask = from_end ? f.tail_mask : f.head_mask;
	if (((mask >> shift) & 0xFF) != 0xFF)
		return -1;
	return static_cast<int>(((from_end ? f.tail : f.head) >> shift) & 0xFF);
}

// Picks, for the head and for the tail, the position every literal fixes
// with the fewest allowed values, among those that do not allow '/': paths
// have one at the start and after every short directory name ("/tmp/",
// "/usr/"), so a position that allows it turns few of them down.
NodeFilter node_filter(const std::vector<LiteralFilter> &filters, const Node &n)
{
	NodeFilter nf;
	nf.min_len = UINT32_MAX;
	for (uint32_t i = n.first; i < n.first + n.count; i++)
		nf.min_len = std::min(nf.min_len, filters[i].min_len);
	if (n.count == 0)
		nf.min_len = 0;
	for (bool from_end : {false, true}) {
		int best_count = 257;
		for (unsigned p = from_end ? 1 : 0; p < (from_end ? 9u : 8u); p++) {
			uint64_t bits[4] = {};
			bool usable = n.count > 0;
			for (uint32_t i = n.first; i < n.first + n.count && usable; i++) {
				int b = fixed_byte(filters[i], p, from_end);
				usable = b >= 0;
				if (usable)
					bits[b >> 6] |= uint64_t(1) << (b & 63);
			}
			int count = 0;
			for (uint64_t w : bits)
				count += __builtin_popcountll(w);
			bool slash = bits['/' >> 6] >> ('/' & 63) & 1;
			if (!usable || slash || count >= best_count)
				continue;
			best_count = count;
			uint8_t at = static_cast<uint8_t>(from_end ? p : p + 1);
			(from_end ? nf.tail_at : nf.head_at) = at;
			std::memcpy(from_end ? nf.tail_bytes : nf.head_bytes, bits, sizeof(bits));
		}
	}
	return nf;
}

} // namespace

void RuleSet::index_by_kind()
{
	literal_filters.assign(literals.size(), LiteralFilter{});
	for (const Node &n : nodes) {
		if (!tests_literals(n))
			continue;
		TextFold fold{n.nocase, n.field == Field::cmdline || n.field == Field::parent_cmdline};
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			literal_filters[i] = filter_of(n.op, literals[i], fold);
	}
	node_filters.assign(nodes.size(), NodeFilter{});
	for (size_t k = 0; k < nodes.size(); k++) {
		const Node &n = nodes[k];
		if (tests_literals(n))
			node_filters[k] = node_filter(literal_filters, n);
	}
	for (auto &v : by_kind)
		v.clear();
	for (auto &v : correlated_by_kind)
		v.clear();
	// Distinct gates so far, by test_hash: finding a rule's equal among them
	// costs the 100,000th rule what it cost the first.
	std::unordered_multimap<uint64_t, uint32_t> gates;
	for (uint32_t i = 0; i < rules.size(); i++) {
		Rule &rule = rules[i];
		if (rule.sequence >= 0 || rule.threshold >= 0)
			for (uint16_t k = 0; k < GUARD_RECORD_KIND_MAX; k++)
				if (rule.kinds & kind_bit(k))
					correlated_by_kind[k].push_back(i);
		if (rule.correlated())
			continue;
		rule.gate = gate_of(*this, rule.root);
		if (rule.gate != no_gate) {
			uint64_t h = test_hash(*this, nodes[rule.gate]);
			auto [first, last] = gates.equal_range(h);
			auto same = std::find_if(first, last, [&](const auto &g) { return same_test(*this, nodes[g.second], nodes[rule.gate]); });
			if (same != last)
				rule.gate = same->second;
			else
				gates.emplace(h, rule.gate);
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
			RuleCandidate c{i};
			const Node &root = nodes[rule.root];
			if (rule.gate == no_gate)
				c.root = rule.root;
			else if (rule.gate == rule.root)
				; // the gate was the whole condition
			else if (root.op == NodeOp::all && same_test(*this, nodes[children[root.first]], nodes[rule.gate]))
				c.rest_first = root.first + 1, c.rest_count = root.count - 1; // the tests after the gate
			else
				c.root = rule.root; // the gate lies deeper: test the whole condition
			candidates.push_back(c);
			runs.back().count++;
		}
	}
	// User names are read once here, when a rule needs them (user_names.h).
	if (!user_names.loaded() &&
	    std::any_of(nodes.begin(), nodes.end(), [](const Node &n) {
		    bool other = n.op == NodeOp::str_fieldref && static_cast<Field>(n.value) == Field::user;
		    return is_test(n) && (n.field == Field::user || other);
	    }))
		user_names.load();
	// A path test by exact name also holds for every other name of the file.
	watched_files = WatchedFiles();
	for (uint32_t k = 0; k < nodes.size(); k++) {
		const Node &n = nodes[k];
		if (n.op != NodeOp::str_equals || n.nocase || (n.field != Field::path && n.field != Field::any_path))
			continue;
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			if (literals[i].starts_with('/'))
				watched_files.add(k, literals[i]);
	}
	watched_files.resolve();
}

} // namespace guard
