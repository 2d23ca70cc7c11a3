// SPDX-License-Identifier: GPL-2.0-or-later
// What rule_index.cpp adds only skips work. Gates (rule_set.h): match_event
// with them finds exactly the rules whose whole condition holds, on every
// event of the mix, for the default rules and for rules whose gates repeat,
// interleave and stand alone. Literal filters: a string test gives what the
// plain comparison gives, whatever the literals and texts.
#include <doctest/doctest.h>

#include <fcntl.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/glob.h"
#include "engine/path_normalize.h"
#include "engine/rule_set.h"
#include "rules/rules_file.h"
#include "synthetic/record_mix.h"

using namespace guard;
using namespace guard::synthetic;

namespace {

// The rules for ev's kind whose condition holds, each tested on its own.
std::vector<uint32_t> oracle(const RuleSet &set, const EventView &ev)
{
	std::vector<uint32_t> v;
	for (uint32_t i : set.by_kind[ev.rec->header.kind])
		if (eval_node(set, set.rules[i].root, ev))
			v.push_back(i);
	return v;
}

void check_against_oracle(RuleSet &set, const std::vector<std::vector<uint8_t>> &records)
{
	auto scratch = std::make_unique<PathScratch>();
	size_t matched = 0;
	for (const auto &bytes : records) {
		Record rec;
		REQUIRE(decode_record(bytes, rec) == DecodeError::none);
		normalize_record_paths(rec, *scratch);
		EventView ev;
		ev.rec = &rec;
		uint32_t out[max_matches];
		uint64_t over = 0;
		size_t n = match_event(set, ev, out, over);
		std::vector<uint32_t> got(out, out + n);
		if (set.droppers.empty())
			CHECK(got == oracle(set, ev));
		else // the dropper's matches come after the plain rules'
			CHECK(std::vector<uint32_t>(got.begin(), got.begin() + std::min(got.size(), oracle(set, ev).size())) ==
			      oracle(set, ev));
		matched += n;
	}
	CHECK(matched > 0);
}

} // namespace

TEST_CASE("gates: the default rules share one, and matches are the same as without")
{
	auto set = rules::load_default_rules().set;
	size_t gated = 0;
	for (const Rule &r : set->rules)
		gated += r.gate != no_gate;
	CHECK(gated >= 8);
	// The five persistence rules start with the same "modify" test: one gate.
	uint32_t systemd = no_gate;
	for (const Rule &r : set->rules)
		if (r.id == "PERSISTENCE_SYSTEMD")
			systemd = r.gate;
	REQUIRE(systemd != no_gate);
	for (const Rule &r : set->rules)
		if (r.id.starts_with("PERSISTENCE_"))
			CHECK(r.gate == systemd);
	// An open tests three gates: SHADOW_READ's (its whole condition), the
	// one of the five persistence rules and of HISTORY_TRUNCATED and
	// SETUID_FILE_CREATED written after them (all start with "modify"), and
	// CREDENTIAL_FILE_READ's (its paths).
	const auto &runs = set->runs_by_kind[GUARD_RECORD_FILE_OPEN];
	REQUIRE(runs.size() == 3);
	CHECK(runs[2].count == 1);
	CHECK(runs[0].count == 1);
	CHECK(set->candidates[runs[0].first].root == no_gate);
	CHECK(runs[1].gate == systemd);
	CHECK(runs[1].count == 7);
	// Once "modify" holds, each persistence rule tests only its paths (the
	// two after them three tests each).
	for (uint32_t c = runs[1].first; c < runs[1].first + runs[1].count; c++) {
		CHECK(set->candidates[c].root == no_gate);
		CHECK(set->candidates[c].rest_count == (c < runs[1].first + 5 ? 1u : 3u));
	}
	// And its paths' filter turns down a path under /tmp in one test.
	const Node &systemd_paths = set->nodes[set->children[set->candidates[runs[1].first].rest_first]];
	const NodeFilter &f = set->node_filters[static_cast<size_t>(&systemd_paths - set->nodes.data())];
	CHECK(f.head_at == 2); // "/etc", "/lib", "/usr", "/run", "/home", "/root": the second byte
	CHECK_FALSE(f.may_match("/tmp/workload/unit.service"));
	CHECK_FALSE(f.may_match("/etc/x")); // shorter than any of the globs can match
	CHECK(f.may_match("/etc/systemd/system/x.service"));
	CHECK(f.may_match("/home/u/.config/systemd/user/x.service"));
	check_against_oracle(*set, record_mix());
}

TEST_CASE("gates: repeated, interleaved, whole conditions, any-of and not")
{
	auto set = rules::compile_rules_text(R"({"rules": [
		{"id": "A", "severity": "low", "events": ["file_open", "file_rename"],
		 "match": {"all": [{"field": "modify", "equals": true}, {"field": "path", "prefix": "/etc/"}]}},
		{"id": "B", "severity": "low", "events": ["file_open"], "match": {"field": "modify", "equals": true}},
		{"id": "C", "severity": "low", "events": ["file_open"],
		 "match": {"all": [{"field": "path", "prefix": "/etc/"}, {"field": "modify", "equals": true}]}},
		{"id": "D", "severity": "low", "events": ["file_open", "file_rename"],
		 "match": {"all": [{"all": [{"field": "modify", "equals": true}]}, {"field": "path", "suffix": "shadow"}]}},
		{"id": "E", "severity": "low", "events": ["file_open"],
		 "match": {"any": [{"field": "modify", "equals": true}, {"field": "path", "prefix": "/etc/"}]}},
		{"id": "F", "severity": "low", "events": ["file_open"], "match": {"not": {"field": "modify", "equals": true}}},
		{"id": "G", "severity": "low", "events": ["file_open"], "match": {"field": "path", "prefix": "/etc/"}},
		{"id": "H", "severity": "low", "events": ["file_open"], "match": {"field": "path", "prefix": ["/etc/", "/srv/"]}}
	]})",
						 "t.json")
			   .set;
	auto gate = [&](std::string_view id) {
		for (const Rule &r : set->rules)
			if (r.id == id)
				return r.gate;
		return no_gate;
	};
	CHECK(gate("A") == gate("B"));
	CHECK(gate("A") == gate("D"));
	CHECK(gate("C") == gate("G"));
	CHECK(gate("C") != gate("A"));
	CHECK(gate("H") != gate("G")); // another list of literals: another test
	CHECK(gate("E") == no_gate);
	CHECK(gate("F") == no_gate);
	// Runs keep file order: A and B share one; D's gate is A's, but C stands between.
	std::vector<uint32_t> run_sizes;
	for (const GateRun &run : set->runs_by_kind[GUARD_RECORD_FILE_OPEN])
		run_sizes.push_back(run.count);
	CHECK(run_sizes == std::vector<uint32_t>{2, 1, 1, 1, 1, 1, 1});
	CHECK(set->runs_by_kind[GUARD_RECORD_FILE_RENAME].size() == 1); // A and D

	Task t{10, 1, "x", 1};
	std::vector<std::vector<uint8_t>> records;
	for (const char *path : {"/etc/shadow", "/etc/passwd", "/srv/shadow", "/tmp/x"})
		for (uint16_t flags : {0, GUARD_FILE_MODIFY}) {
			records.push_back(file_record(t, GUARD_RECORD_FILE_OPEN, path, {}, 3, flags ? O_WRONLY : O_RDONLY, flags));
			records.push_back(file_record(t, GUARD_RECORD_FILE_RENAME, path, "/x", 0));
		}
	check_against_oracle(*set, records);
}

TEST_CASE("literal filters: every string operator agrees with the plain comparison")
{
	uint32_t seed = 5;
	auto next = [&] { return seed = seed * 1103515245 + 12345; };
	// Short strings over few bytes, so that heads often agree and differ at every position.
	auto word = [&](const char *alphabet, size_t max) {
		std::string w;
		for (size_t len = next() % (max + 1); w.size() < len;)
			w += alphabet[(next() >> 8) % std::strlen(alphabet)];
		return w;
	};
	std::string nul_text("ab\0b", 4);
	for (int round = 0; round < 20000; round++) {
		RuleSet set;
		NodeOp op = static_cast<NodeOp>(static_cast<int>(NodeOp::str_equals) + next() % 5);
		size_t count = 1 + next() % 4;
		for (size_t i = 0; i < count; i++) {
			// Globs of every kind: stars, '?', classes (negated, with ']' first, ranges), escapes.
			std::string lit = op == NodeOp::str_glob ? word("ab/*?[]!-\\", 12) : word("ab/", 12);
			if (op == NodeOp::str_glob && !glob_valid(lit))
				lit = word("ab/*?", 12);
			set.literals.push_back(lit);
		}
		Node n;
		n.op = op;
		n.field = Field::path;
		n.first = 0;
		n.count = static_cast<uint32_t>(count);
		set.nodes.push_back(n);
		set.index_by_kind();
		for (int t = 0; t < 20; t++) {
			std::string text = t == 0 ? nul_text : word("ab/]!-\\", 14);
			Record rec;
			rec.header.kind = GUARD_RECORD_FILE_OPEN;
			rec.path = text;
			EventView ev;
			ev.rec = &rec;
			bool want = false;
			for (const std::string &lit : set.literals) {
				std::string_view s = text;
				switch (op) {
				case NodeOp::str_equals: want |= s == lit; break;
				case NodeOp::str_prefix: want |= s.starts_with(lit); break;
				case NodeOp::str_suffix: want |= s.ends_with(lit); break;
				case NodeOp::str_contains: want |= s.find(lit) != std::string_view::npos; break;
				default: want |= glob_match(lit, s); break;
				}
			}
			REQUIRE(eval_node(set, 0, ev) == want);
		}
	}
}

TEST_CASE("literal filters: the ends and least length of globs, as glob_match reads them")
{
	struct Case {
		const char *glob, *text;
	};
	for (Case c : {Case{"*/.ssh/authorized_keys", "/home/u/.ssh/authorized_keys"}, Case{"*/.ssh/authorized_keys", "/.ssh/authorized_keys"},
		       Case{"*/.ssh/authorized_keys", ".ssh/authorized_keys"}, Case{"*/.ssh/authorized_keys", "/root/.ssh/authorized_keys2"},
		       Case{"/etc/cron.d/*", "/etc/cron.d/x"}, Case{"/etc/cron.d/*", "/etc/cron.d/"}, Case{"/etc/cron.d/*", "/etc/cron.d"},
		       Case{"a?c", "abc"}, Case{"a?c", "ac"}, Case{"*x?z", "xyz"}, Case{"*x?z", "axyz"}, Case{"*x?z", "xyzz"},
		       Case{"[]a]b", "]b"}, Case{"[]a]b", "ab"}, Case{"[!]]b", "]b"}, Case{"[!]]b", "xb"}, Case{"[a-c]*[!x]", "bq"},
		       Case{"[a-c]*[!x]", "b"}, Case{"a\\*b", "a*b"}, Case{"a\\*b", "axb"}, Case{"\\?", "?"}, Case{"\\?", "x"},
		       Case{"", ""}, Case{"", "x"}, Case{"*", ""}, Case{"**?", "x"}, Case{"**?", ""}}) {
		CAPTURE(c.glob);
		CAPTURE(c.text);
		RuleSet set;
		set.literals.push_back(c.glob);
		Node n;
		n.op = NodeOp::str_glob;
		n.field = Field::path;
		n.count = 1;
		set.nodes.push_back(n);
		set.index_by_kind();
		Record rec;
		rec.header.kind = GUARD_RECORD_FILE_OPEN;
		rec.path = c.text;
		EventView ev;
		ev.rec = &rec;
		CHECK(eval_node(set, 0, ev) == glob_match(c.glob, c.text));
	}
}

TEST_CASE("literal filters: an absent field (no parent known) is an empty string, not a read")
{
	auto set = rules::compile_rules_text(R"({"rules": [
		{"id": "P", "severity": "low", "events": ["file_open"], "match": {"field": "parent_comm", "prefix": ["bash", ""]}},
		{"id": "Q", "severity": "low", "events": ["file_open"], "match": {"field": "parent_exe", "glob": "/usr/*"}}
	]})",
						 "t.json")
			   .set;
	Task t{10, 1, "x", 1};
	auto bytes = file_record(t, GUARD_RECORD_FILE_OPEN, "/etc/hostname");
	Record rec;
	REQUIRE(decode_record(bytes, rec) == DecodeError::none);
	EventView ev;
	ev.rec = &rec; // no self, no parent
	CHECK(eval_node(*set, set->rules[0].root, ev)); // "" is a prefix of the empty string
	CHECK_FALSE(eval_node(*set, set->rules[1].root, ev));
}
