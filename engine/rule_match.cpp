// SPDX-License-Identifier: GPL-2.0-or-later
// Evaluating compiled rules against one event. Everything here reads the
// RuleSet and the event in place: no allocation, no exceptions.
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "engine/addr_text.h"
#include "engine/glob.h"
#include "engine/rule_set.h"

namespace guard {

const char *severity_name(Severity s)
{
	switch (s) {
	case Severity::info: return "info";
	case Severity::low: return "low";
	case Severity::medium: return "medium";
	case Severity::high: return "high";
	case Severity::critical: return "critical";
	}
	return "unknown";
}

bool severity_by_name(std::string_view name, Severity &out)
{
	for (Severity s : {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical})
		if (name == severity_name(s)) {
			out = s;
			return true;
		}
	return false;
}

namespace {

// Whether test holds for one of the node's literals, trying only those whose
// ends and least length s has (rule_set.h, LiteralFilter).
template <class Test>
bool any_literal(const RuleSet &set, const Node &n, std::string_view s, Test test)
{
	const uint64_t head = string_head(s), tail = string_tail(s);
	for (uint32_t i = n.first; i < n.first + n.count; i++) {
		const LiteralFilter &f = set.literal_filters[i];
		if ((((head ^ f.head) & f.head_mask) | ((tail ^ f.tail) & f.tail_mask)) == 0 && s.size() >= f.min_len &&
		    test(set.literals[i]))
			return true;
	}
	return false;
}

// A command line's NULs read as spaces (text_fold.h).
bool is_command_line(Field f) { return f == Field::cmdline || f == Field::parent_cmdline; }

TextFold fold_of(const Node &n) { return {n.nocase, is_command_line(n.field)}; }

// A regex reads the command line with its spaces: joined into a buffer of
// the engine thread's (a record's arguments fit GUARD_ARGV_MAX).
std::string_view joined_command_line(std::string_view s)
{
	static thread_local char joined[GUARD_ARGV_MAX];
	size_t n = std::min(s.size(), sizeof(joined));
	for (size_t i = 0; i < n; i++)
		joined[i] = s[i] == '\0' ? ' ' : s[i];
	return {joined, n};
}

bool folded_op(const RuleSet &set, const Node &n, std::string_view s)
{
	TextFold fold = fold_of(n);
	switch (n.op) {
	case NodeOp::str_equals: return any_literal(set, n, s, [&](const std::string &lit) { return folded_equals(s, lit, fold); });
	case NodeOp::str_prefix: return any_literal(set, n, s, [&](const std::string &lit) { return folded_prefix(s, lit, fold); });
	case NodeOp::str_suffix: return any_literal(set, n, s, [&](const std::string &lit) { return folded_suffix(s, lit, fold); });
	case NodeOp::str_contains:
		return any_literal(set, n, s, [&](const std::string &lit) { return folded_contains(s, lit, fold); });
	case NodeOp::str_glob: return any_literal(set, n, s, [&](const std::string &lit) { return glob_match(lit, s, fold); });
	default: return false;
	}
}

bool regex_op(const RuleSet &set, const Node &n, std::string_view s)
{
	if (is_command_line(n.field))
		s = joined_command_line(s);
	for (uint32_t i = n.first; i < n.first + n.count; i++)
		if (set.regexes[i]->matches(s))
			return true;
	return false;
}

bool string_op(const RuleSet &set, const Node &n, std::string_view s)
{
	if (n.op == NodeOp::str_regex)
		return regex_op(set, n, s);
	if (!set.node_filters[static_cast<size_t>(&n - set.nodes.data())].may_match(s))
		return false;
	if (n.nocase || is_command_line(n.field))
		return folded_op(set, n, s);
	switch (n.op) {
	case NodeOp::str_equals: return any_literal(set, n, s, [&](const std::string &lit) { return s == lit; });
	case NodeOp::str_prefix: return any_literal(set, n, s, [&](const std::string &lit) { return s.starts_with(lit); });
	case NodeOp::str_suffix: return any_literal(set, n, s, [&](const std::string &lit) { return s.ends_with(lit); });
	case NodeOp::str_contains:
		return any_literal(set, n, s, [&](const std::string &lit) { return s.find(lit) != std::string_view::npos; });
	case NodeOp::str_glob: return any_literal(set, n, s, [&](const std::string &lit) { return glob_match(lit, s); });
	default: return false;
	}
}

// An "equals"/"in" test on a path also holds for the file it names under
// any other name: by identity, when the record carries the identity of the
// file `path` names (a successful open; an exec whose path is the file the
// kernel runs, not a script run by an interpreter). watched_files.h says why.
bool same_file(const RuleSet &set, const Node &n, const Record &r)
{
	bool exec = record_family(r.header.kind) == RecordFamily::exec;
	if (n.op != NodeOp::str_equals || r.ino == 0 || (exec && !r.interpreter.empty()))
		return false;
	return set.watched_files.matches(static_cast<uint32_t>(&n - set.nodes.data()), r.dev, r.ino);
}

bool string_node(const RuleSet &set, const Node &n, const EventView &ev)
{
	switch (n.field) {
	case Field::argv: {
		// argv holds when one argument does.
		std::string_view rest = ev.rec->argv;
		for (uint32_t i = 0; i < ev.rec->argc && !rest.empty(); i++) {
			size_t nul = rest.find('\0');
			std::string_view arg = rest.substr(0, nul);
			if (string_op(set, n, arg))
				return true;
			if (nul == std::string_view::npos)
				break;
			rest.remove_prefix(nul + 1);
		}
		return false;
	}
	case Field::ancestor_comm:
	case Field::ancestor_exe:
		for (size_t i = 0; i < ev.ancestor_count; i++) {
			const Process *p = ev.ancestors[i];
			if (string_op(set, n, n.field == Field::ancestor_comm ? p->comm_view() : p->exe_view()))
				return true;
		}
		return false;
	case Field::user: return string_op(set, n, set.user_names.name_of(ev.rec->header.uid));
	case Field::addr_text: {
		char text[addr_text_max];
		char *end = write_addr(text, ev.rec->family, ev.rec->addr); // nothing for unix and other
		return string_op(set, n, std::string_view(text, static_cast<size_t>(end - text)));
	}
	case Field::path:
		return string_op(set, n, ev.rec->path) || same_file(set, n, *ev.rec);
	case Field::any_path:
		return string_op(set, n, ev.rec->path) || same_file(set, n, *ev.rec) ||
		       (string_field(Field::new_path, ev).size() && string_op(set, n, ev.rec->path2));
	default: return string_op(set, n, string_field(n.field, ev));
	}
}

// Sigma's fieldref: the two fields hold the same text (read as each
// field's fold says).
bool same_text(const RuleSet &set, const Node &n, const EventView &ev)
{
	auto text = [&](Field f) {
		return f == Field::user ? set.user_names.name_of(ev.rec->header.uid) : string_field(f, ev);
	};
	Field other = static_cast<Field>(n.value);
	std::string_view a = text(n.field), b = text(other);
	if (a.size() != b.size())
		return false;
	TextFold fa = fold_of(n), fb{n.nocase, is_command_line(other)};
	for (size_t i = 0; i < a.size(); i++)
		if (fa(static_cast<unsigned char>(a[i])) != fb(static_cast<unsigned char>(b[i])))
			return false;
	return true;
}

bool in_cidr(const Cidr &c, const Record &r)
{
	if ((c.len == 4 && r.family != AF_INET) || (c.len == 16 && r.family != AF_INET6))
		return false;
	unsigned whole = c.prefix / 8, rest = c.prefix % 8;
	if (std::memcmp(c.bytes, r.addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
	return (c.bytes[whole] & mask) == (r.addr[whole] & mask);
}

} // namespace

bool eval_node(const RuleSet &set, uint32_t index, const EventView &ev)
{
	const Node &n = set.nodes[index];
	switch (n.op) {
	case NodeOp::all:
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			if (!eval_node(set, set.children[i], ev))
				return false;
		return true;
	case NodeOp::any:
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			if (eval_node(set, set.children[i], ev))
				return true;
		return false;
	case NodeOp::not_: return !eval_node(set, n.first, ev);
	case NodeOp::str_equals:
	case NodeOp::str_prefix:
	case NodeOp::str_suffix:
	case NodeOp::str_contains:
	case NodeOp::str_glob:
	case NodeOp::str_regex: return string_node(set, n, ev);
	case NodeOp::str_fieldref: return same_text(set, n, ev);
	case NodeOp::addr_cidr:
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			if (in_cidr(set.cidrs[i], *ev.rec))
				return true;
		return false;
	case NodeOp::num_in: {
		int64_t v = number_field(n.field, ev);
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			if (set.numbers[i] == v)
				return true;
		return false;
	}
	case NodeOp::num_bits: return (number_field(n.field, ev) & n.value) != 0;
	case NodeOp::num_cmp: {
		int64_t v = number_field(n.field, ev);
		switch (n.cmp) {
		case Cmp::lt: return v < n.value;
		case Cmp::le: return v <= n.value;
		case Cmp::gt: return v > n.value;
		case Cmp::ge: return v >= n.value;
		}
		return false;
	}
	}
	return false;
}

size_t match_event(RuleSet &set, const EventView &ev, uint32_t out[max_matches], uint64_t &over_limit)
{
	const Record &r = *ev.rec;
	uint16_t kind = r.header.kind;
	if (kind >= GUARD_RECORD_KIND_MAX)
		return 0;
	size_t n = 0;
	auto add = [&](uint32_t i) {
		if (n < max_matches)
			out[n++] = i;
		else
			over_limit++;
	};
	// A run of rules with the same gate tests it once: when it fails, the
	// whole run does.
	for (const GateRun &run : set.runs_by_kind[kind]) {
		if (run.gate != no_gate && !eval_node(set, run.gate, ev))
			continue;
		for (uint32_t c = run.first; c < run.first + run.count; c++) {
			const RuleCandidate &cand = set.candidates[c];
			bool holds = cand.root == no_gate || eval_node(set, cand.root, ev);
			for (uint32_t k = cand.rest_first; holds && k < cand.rest_first + cand.rest_count; k++)
				holds = eval_node(set, set.children[k], ev);
			if (holds)
				add(cand.rule);
		}
	}
	if (!set.correlated_by_kind[kind].empty())
		n = match_correlations(set, ev, out, n, over_limit);
	if (set.droppers.empty())
		return n;

	// The dropper: file events feed it, execs ask it.
	bool ok = r.result >= 0;
	std::string_view written;
	if (kind == GUARD_RECORD_FILE_OPEN && ok && (r.header.flags & GUARD_FILE_MODIFY))
		written = r.path;
	else if ((kind == GUARD_RECORD_FILE_RENAME || kind == GUARD_RECORD_FILE_LINK) && ok)
		written = r.path2;
	if (written.empty() && kind != GUARD_RECORD_EXEC)
		return n;
	for (uint32_t i = 0; i < set.rules.size(); i++) {
		const Rule &rule = set.rules[i];
		if (rule.dropper < 0)
			continue;
		DropperRule &d = set.droppers[static_cast<size_t>(rule.dropper)];
		if (!written.empty())
			d.on_written(written, r.header.boot_ns);
		else if (kind == GUARD_RECORD_EXEC && d.on_exec(r.path, r.header.boot_ns))
			add(i);
	}
	return n;
}

} // namespace guard
