// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules/rules_file.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/error.h"
#include "rules/compile.h"
#include "rules/file_trust.h"
#include "rules/json_tree.h"
#include "rules/rule_error.h"
#include "rules/seed_format.h"

extern "C" const char guard_default_rules[];
extern "C" const char guard_default_rules_end[];

namespace guard::rules {

namespace {

constexpr size_t kMaxRulesFile = 16 << 20;

std::string located(std::string_view name, std::string_view text, size_t offset, const std::string &message)
{
	auto [line, col] = line_col(text, offset);
	return printable(std::string(name) + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + message);
}

} // namespace

std::string read_rules_text(const std::string &path, const RulesFilePolicy &policy)
{
	// O_NONBLOCK: a FIFO put in the file's place opens at once (and is
	// refused below) instead of waiting for a writer.
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		throw RulesFileError(printable(errno_message(path, errno)));
	struct stat st {};
	if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		::close(fd);
		throw RulesFileError(printable(path) + ": not a regular file");
	}
	if (policy.trusted_only) {
		std::string why = untrusted_reason(fd, path);
		if (!why.empty()) {
			::close(fd);
			throw RulesFileError(printable(path + ": " + why + ": refused, as a rules file others could change "
							   "(fix its owner or mode, or pass --allow-untrusted-rules)"));
		}
	}
	std::string text;
	char buf[65536];
	for (;;) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			::close(fd);
			throw RulesFileError(printable(errno_message(path, e)));
		}
		if (n == 0)
			break;
		text.append(buf, static_cast<size_t>(n));
		if (text.size() > kMaxRulesFile) {
			::close(fd);
			throw RulesFileError(printable(path) + ": larger than 16 MiB: not a rules file");
		}
	}
	::close(fd);
	return text;
}

std::string_view default_rules_text()
{
	return {guard_default_rules, static_cast<size_t>(guard_default_rules_end - guard_default_rules)};
}

LoadedRules compile_rules_text(std::string_view text, std::string_view name)
{
	JsonValue root;
	ParseProblem problem;
	if (!parse_json_tree(text, root, problem))
		throw RulesFileError(located(name, text, problem.offset, problem.message));
	try {
		if (root.type != JsonValue::Type::object)
			reject(root.offset, "expected a JSON object at the top level");
		JsonValue translated;
		const JsonValue *own = &root;
		if (is_seed_format(root)) {
			translated = translate_seed(root);
			own = &translated;
		} else {
			check_top_level(root);
		}
		LoadedRules loaded;
		loaded.output = compile_output(*own);
		loaded.set = compile_rule_set(*own);
		loaded.source = std::string(name);
		return loaded;
	} catch (const RuleError &e) {
		throw RulesFileError(located(name, text, e.offset, e.message));
	}
}

LoadedRules load_rules_file(const std::string &path, const RulesFilePolicy &policy)
{
	LoadedRules loaded = compile_rules_text(read_rules_text(path, policy), path);
	if (!policy.allow_no_rules && loaded.set->rules.empty())
		throw RulesFileError(printable(path) + ": no enabled rule: guard would detect nothing (pass --allow-no-rules "
							"to run without rules)");
	return loaded;
}

std::string printable(std::string_view text)
{
	std::string out;
	out.reserve(text.size());
	for (char c : text) {
		auto b = static_cast<unsigned char>(c);
		if (b < 0x20 || b == 0x7f) {
			char hex[5];
			std::snprintf(hex, sizeof(hex), "\\x%02x", b);
			out += hex;
		} else {
			out += c;
		}
	}
	return out;
}

LoadedRules load_default_rules() { return compile_rules_text(default_rules_text(), "<default rules>"); }

namespace {

std::string quoted_list(const std::vector<std::string> &v, uint32_t first, uint32_t count)
{
	std::string s = "[";
	for (uint32_t i = first; i < first + count; i++)
		s += (i > first ? ", \"" : "\"") + printable(v[i]) + "\"";
	return s + "]";
}

std::string cidr_text(const Cidr &c)
{
	char buf[64];
	::inet_ntop(c.len == 4 ? AF_INET : AF_INET6, c.bytes, buf, sizeof(buf));
	return std::string(buf) + "/" + std::to_string(c.prefix);
}

std::string describe_node(const RuleSet &set, uint32_t index)
{
	const Node &n = set.nodes[index];
	std::string field(field_info(n.field).name);
	auto group = [&](const char *name) {
		std::string s = std::string(name) + "(";
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			s += (i > n.first ? ", " : "") + describe_node(set, set.children[i]);
		return s + ")";
	};
	if (n.nocase)
		field += " (any case)";
	switch (n.op) {
	case NodeOp::all: return n.count ? group("all") : "every event";
	case NodeOp::any: return n.count ? group("any") : "no event";
	case NodeOp::not_: return "not(" + describe_node(set, n.first) + ")";
	case NodeOp::str_equals: return field + " in " + quoted_list(set.literals, n.first, n.count);
	case NodeOp::str_prefix: return field + " prefix " + quoted_list(set.literals, n.first, n.count);
	case NodeOp::str_suffix: return field + " suffix " + quoted_list(set.literals, n.first, n.count);
	case NodeOp::str_contains: return field + " contains " + quoted_list(set.literals, n.first, n.count);
	case NodeOp::str_glob: return field + " glob " + quoted_list(set.literals, n.first, n.count);
	case NodeOp::str_regex: {
		std::string s = field + " regex [";
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			s += (i > n.first ? ", \"" : "\"") + printable(set.regexes[i]->pattern()) + "\"";
		return s + "]";
	}
	case NodeOp::str_fieldref:
		return field + " equals field " + std::string(field_info(static_cast<Field>(n.value)).name);
	case NodeOp::addr_cidr: {
		std::string s = field + " cidr [";
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			s += (i > n.first ? ", " : "") + cidr_text(set.cidrs[i]);
		return s + "]";
	}
	case NodeOp::num_in: {
		if (field_info(n.field).type == FieldType::boolean)
			return field + " is " + (set.numbers[n.first] ? "true" : "false");
		std::string s = field + " in [";
		for (uint32_t i = n.first; i < n.first + n.count; i++)
			s += (i > n.first ? ", " : "") + std::to_string(set.numbers[i]);
		return s + "]";
	}
	case NodeOp::num_bits: {
		char octal[32];
		std::snprintf(octal, sizeof(octal), "0%llo", static_cast<unsigned long long>(n.value));
		return field + " has any of bits " + octal;
	}
	case NodeOp::num_cmp: {
		const char *op = n.cmp == Cmp::lt ? " < " : n.cmp == Cmp::le ? " <= " : n.cmp == Cmp::gt ? " > " : " >= ";
		return field + op + std::to_string(n.value);
	}
	}
	return "?";
}

} // namespace

std::string describe_rules(const RuleSet &set)
{
	std::string out;
	for (const Rule &r : set.rules) {
		out += printable(r.id) + " [" + severity_name(r.severity) + "]";
		if (!r.description.empty())
			out += " " + printable(r.description);
		out += "\n";
		if (!r.attack.empty()) {
			out += "  attack:";
			for (const std::string &id : r.attack)
				out += " " + id;
			out += "\n";
		}
		if (r.dropper >= 0) {
			const DropperRule &d = set.droppers[static_cast<size_t>(r.dropper)];
			out += "  on: file_open (for write), file_rename, file_link into " + quoted_list(d.watch(), 0, uint32_t(d.watch().size())) +
			       ", then exec of that path within " + std::to_string(d.window_ns() / 1000000000) + " s\n";
			continue;
		}
		if (r.sequence >= 0) {
			const SequenceRule &q = set.sequences[static_cast<size_t>(r.sequence)];
			out += "  sequence by " + std::string(group_by_name(q.by)) + " within " +
			       std::to_string(q.seen.window_ns() / 1000000000) + " s" + (q.ordered ? "" : ", in either order") +
			       (q.same == no_field ? "" : ", same " + std::string(field_info(q.same).name)) + "\n";
			for (const CorrelationStep &step : q.steps)
				out += "  step on: " + kinds_text(step.kinds) + "\n    when: " + describe_node(set, step.root) + "\n";
			continue;
		}
		if (r.threshold >= 0) {
			const ThresholdRule &t = set.thresholds[static_cast<size_t>(r.threshold)];
			out += "  threshold: " + std::to_string(t.count) + " distinct " + std::string(field_info(t.distinct[0]).name) +
			       (t.distinct[1] == no_field ? "" : "+" + std::string(field_info(t.distinct[1]).name)) + " by " +
			       group_by_name(t.by) + " within " + std::to_string(t.window_ns() / 1000000000) + " s\n";
		}
		out += "  on: " + kinds_text(r.kinds) + "\n  when: " + describe_node(set, r.threshold >= 0
			? set.thresholds[static_cast<size_t>(r.threshold)].step.root : r.root) + "\n";
		if (r.action == RuleAction::kill)
			out += "  action: kill (in the kernel, with --enforce)\n";
	}
	return out;
}

} // namespace guard::rules
