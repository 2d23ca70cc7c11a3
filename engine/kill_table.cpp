// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/kill_table.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace guard {
namespace {

// The kill table bits of the kinds a rule applies to, and the kinds no
// table covers.
uint32_t kill_kinds(uint32_t kinds, uint32_t &others)
{
	uint32_t k = 0;
	others = kinds;
	for (auto [kind, bit] : {std::pair{GUARD_RECORD_EXEC, GUARD_KILL_EXEC}, std::pair{GUARD_RECORD_FILE_OPEN, GUARD_KILL_OPEN},
				 std::pair{GUARD_RECORD_NET_CONNECT, GUARD_KILL_CONNECT}})
		if (kinds & kind_bit(kind)) {
			k |= bit;
			others &= ~kind_bit(kind);
		}
	return k;
}

// The tests the kernel checks: the node itself, or an any-of's children.
std::vector<const Node *> kernel_tests(const RuleSet &set, const Rule &rule)
{
	const Node &root = set.nodes[rule.root];
	if (root.op != NodeOp::any)
		return {&root};
	std::vector<const Node *> tests;
	for (uint32_t i = 0; i < root.count; i++)
		tests.push_back(&set.nodes[set.children[root.first + i]]);
	return tests;
}

bool is_path_test(const Node &n) { return n.op == NodeOp::str_equals && n.field == Field::path && !n.nocase; }
bool is_addr_test(const Node &n) { return n.op == NodeOp::addr_cidr && n.field == Field::addr; }

// The kernel's dev_t for stat's st_dev (kern/enforce.bpf.h compares s_dev).
uint64_t kernel_dev(dev_t dev) { return (uint64_t(major(dev)) << 20) | minor(dev); }

} // namespace

std::string kill_rule_problem(const RuleSet &set, const Rule &rule)
{
	if (rule.correlated())
		return "\"action\": \"kill\" is for a rule of \"type\": \"match\"";
	uint32_t others = 0;
	uint32_t kinds = kill_kinds(rule.kinds, others);
	if (others || !kinds)
		return "\"action\": \"kill\": the kernel kills at exec, file_open and net_connect only; the rule's "
		       "\"events\" must list no other kind";
	const std::string shape = "\"action\": \"kill\": the kernel checks only \"path\" equals/in absolute paths "
				  "(exec, file_open) and \"addr\" cidr (net_connect), or an \"any\" of them";
	if (set.nodes[rule.root].op == NodeOp::all && set.nodes[rule.root].count == 0)
		return shape + "; a kill rule needs a \"match\"";
	for (const Node *n : kernel_tests(set, rule)) {
		if (is_path_test(*n)) {
			if (kinds & GUARD_KILL_CONNECT)
				return "\"action\": \"kill\": \"path\" does not exist on net_connect";
			for (uint32_t i = 0; i < n->count; i++)
				if (set.literals[n->first + i].empty() || set.literals[n->first + i][0] != '/')
					return shape + "; \"" + set.literals[n->first + i] + "\" is not an absolute path";
		} else if (is_addr_test(*n)) {
			if (kinds & (GUARD_KILL_EXEC | GUARD_KILL_OPEN))
				return "\"action\": \"kill\": \"addr\" exists on net_connect only";
		} else {
			return shape;
		}
	}
	return "";
}

KillTable build_kill_table(const RuleSet &set)
{
	KillTable t;
	for (const Rule &rule : set.rules) {
		if (rule.action != RuleAction::kill)
			continue;
		uint32_t others = 0;
		uint32_t kinds = kill_kinds(rule.kinds, others);
		for (const Node *n : kernel_tests(set, rule)) {
			if (is_addr_test(*n)) {
				for (uint32_t i = 0; i < n->count; i++)
					t.cidrs.push_back(set.cidrs[n->first + i]);
				t.kinds |= GUARD_KILL_CONNECT;
				continue;
			}
			for (uint32_t i = 0; i < n->count; i++) {
				struct stat st {};
				if (::stat(set.literals[n->first + i].c_str(), &st) != 0)
					continue;
				for (uint32_t kind : {GUARD_KILL_EXEC, GUARD_KILL_OPEN})
					if (kinds & kind) {
						t.files.push_back({kind, kernel_dev(st.st_dev), st.st_ino});
						t.kinds |= kind;
					}
			}
		}
	}
	return t;
}

bool kill_rule_matches_self(const RuleSet &set, const Rule &rule)
{
	struct stat self {};
	if (rule.action != RuleAction::kill || !(rule.kinds & kind_bit(GUARD_RECORD_EXEC)) ||
	    ::stat("/proc/self/exe", &self) != 0)
		return false;
	for (const Node *n : kernel_tests(set, rule))
		for (uint32_t i = 0; is_path_test(*n) && i < n->count; i++) {
			struct stat st {};
			if (::stat(set.literals[n->first + i].c_str(), &st) == 0 && st.st_dev == self.st_dev &&
			    st.st_ino == self.st_ino)
				return true;
		}
	return false;
}

} // namespace guard
