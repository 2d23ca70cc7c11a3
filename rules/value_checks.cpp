// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules/value_checks.h"

#include <cstring>
#include <limits>

#include "engine/glob.h"
#include "rules/rule_error.h"
#include "rules/rules_file.h"
#include "rules/suggest.h"

namespace guard::rules {

namespace {

constexpr size_t kCommMax = GUARD_COMM_LEN - 1;

struct NumberRange {
	std::string_view field;
	int64_t min;
	uint64_t max;
	const char *what; // why these bounds
};

constexpr uint64_t u32_max = std::numeric_limits<uint32_t>::max();
constexpr uint64_t u64_max = std::numeric_limits<uint64_t>::max();
constexpr uint64_t pid_max = 4194304; // PID_MAX_LIMIT

// By field name, so a field added to event_fields.cpp needs no entry here
// to work (it then takes any 64-bit signed value).
constexpr NumberRange kRanges[] = {
	{"pid", 0, pid_max, "a process id"},
	{"tid", 0, pid_max, "a thread id"},
	{"ppid", 0, pid_max, "a process id"},
	{"child_pid", 0, pid_max, "a process id"},
	{"child_tid", 0, pid_max, "a thread id"},
	{"uid", 0, u32_max, "a user id"},
	{"gid", 0, u32_max, "a group id"},
	{"euid", 0, u32_max, "a user id"},
	{"owner_uid", -1, u32_max, "a user id, -1 for unchanged"},
	{"owner_gid", -1, u32_max, "a group id, -1 for unchanged"},
	{"mnt_ns", 0, u32_max, "a namespace inode number"},
	{"pid_ns", 0, u32_max, "a namespace inode number"},
	{"cgroup_id", 0, u64_max, "a 64-bit cgroup id"},
	{"clone_flags", 0, u64_max, "64 bits of clone flags"},
	{"argc", 0, u32_max, "an argument count"},
	{"errno", 0, 4095, "an errno value"},
	{"fd", -1, std::numeric_limits<int32_t>::max(), "a file descriptor, -1 when the call failed"},
	{"exit_code", 0, 255, "an exit status"},
	{"signal", 0, 64, "a signal number"},
	{"flags", 0, u32_max, "open flags"},
	{"mode", 0, 07777, "permission bits"},
	{"port", 0, 65535, "a TCP or UDP port"},
	{"backlog", 0, u32_max, "a listen backlog"},
};

const NumberRange *range_of(Field f)
{
	for (const NumberRange &r : kRanges)
		if (r.field == field_info(f).name)
			return &r;
	return nullptr;
}

std::vector<std::string_view> errno_names()
{
	std::vector<std::string_view> names;
	for (int e = 1; e < 4096; e++)
		if (const char *n = strerrorname_np(e))
			names.push_back(n);
	return names;
}

// The values an enumerated string field can take, or empty for a free one.
std::vector<std::string_view> names_of(Field f)
{
	std::string_view name = field_info(f).name;
	if (name == "access")
		return {"read", "write", "read_write"};
	if (name == "family")
		return {"inet", "inet6", "unix", "other"};
	if (name == "error")
		return errno_names();
	return {};
}

bool is_comm(Field f) { return field_info(f).name.ends_with("comm"); }

bool op_matches(NodeOp op, std::string_view literal, std::string_view value)
{
	switch (op) {
	case NodeOp::str_equals: return value == literal;
	case NodeOp::str_prefix: return value.starts_with(literal);
	case NodeOp::str_suffix: return value.ends_with(literal);
	case NodeOp::str_contains: return value.find(literal) != std::string_view::npos;
	case NodeOp::str_glob: return glob_match(literal, value);
	default: return false;
	}
}

// The fewest bytes a string that op matches with literal can have.
size_t least_length(NodeOp op, std::string_view literal)
{
	if (op != NodeOp::str_glob)
		return literal.size();
	size_t n = 0;
	for (size_t i = 0; i < literal.size(); i++) {
		if (literal[i] == '*')
			continue;
		if (literal[i] == '\\')
			i++;
		else if (literal[i] == '[')
			i = glob_class_end(literal, i);
		n++;
	}
	return n;
}

std::string quoted(std::string_view s) { return "\"" + printable(s) + "\""; }

std::string range_text(const NumberRange &r)
{
	return std::to_string(r.min) + " to " + std::to_string(r.max) + " (" + r.what + ")";
}

} // namespace

std::string glob_problem(std::string_view p)
{
	if (!glob_valid(p))
		return "unclosed '[' or trailing '\\'";
	for (size_t i = 0; i < p.size(); i++) {
		if (p[i] == '\\') {
			i++;
			continue;
		}
		if (p[i] != '[')
			continue;
		size_t end = glob_class_end(p, i);
		size_t j = i + 1;
		if (j < end && (p[j] == '!' || p[j] == '^'))
			j++;
		for (; j < end; j++) {
			// "x-y" inside a class, as glob_match reads it: a '-' that is
			// not the class's last byte.
			if (j + 2 < end && p[j + 1] == '-' && static_cast<unsigned char>(p[j]) > static_cast<unsigned char>(p[j + 2])) {
				std::string fixed = {p[j + 2], '-', p[j]};
				return "the range " + std::string(p.substr(j, 3)) + " is empty, did you mean " + fixed + "?";
			}
			if (j + 2 < end && p[j + 1] == '-')
				j += 2;
		}
		i = end;
	}
	return "";
}

void check_string_value(Field f, NodeOp op, const JsonValue &v)
{
	const std::string &s = v.string;
	std::string field = "\"" + std::string(field_info(f).name) + "\"";
	if (s.find('\0') != std::string::npos)
		reject(v.offset, quoted(s) + " holds a NUL byte: no value of " + field + " does");
	if (op == NodeOp::str_glob) {
		std::string why = glob_problem(s);
		if (!why.empty())
			reject(v.offset, "\"glob\": malformed pattern " + quoted(s) + ": " + why);
	}
	if (is_comm(f) && least_length(op, s) > kCommMax) {
		std::string hint = op == NodeOp::str_equals ? ", did you mean " + quoted(s.substr(0, kCommMax)) + "?" : "";
		reject(v.offset, quoted(s) + " can never match: " + field + " holds at most 15 bytes (the kernel keeps the "
						"first 15 of a command's name)" + hint);
	}
	if (f == Field::exe_sha256 && op == NodeOp::str_equals &&
	    (s.size() != 64 || s.find_first_not_of("0123456789abcdef") != std::string::npos))
		reject(v.offset, quoted(s) + " can never match: " + field +
					 " is 64 lowercase hex digits (as sha256sum prints them)");
	std::vector<std::string_view> names = names_of(f);
	if (names.empty())
		return;
	for (std::string_view name : names)
		if (op_matches(op, s, name))
			return;
	reject(v.offset, quoted(s) + " can never match: " + field + " is one of a fixed set" + did_you_mean(s, names));
}

void check_number_value(Field f, const JsonValue &v, bool comparison)
{
	const NumberRange *r = range_of(f);
	uint64_t max = r ? r->max : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
	std::string field = "\"" + std::string(field_info(f).name) + "\"";
	if (v.above_int64) {
		if (max <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
			reject(v.offset, field + ": " + std::to_string(static_cast<uint64_t>(v.integer)) + " is out of range: expected " +
						 (r ? range_text(*r) : "a signed 64-bit integer"));
		if (comparison)
			reject(v.offset, field + ": a comparison takes a bound up to 9223372036854775807; use \"equals\" or "
						 "\"in\" for larger ids");
		return;
	}
	if (!r || (v.integer >= r->min && (v.integer < 0 || static_cast<uint64_t>(v.integer) <= r->max)))
		return;
	int64_t nearest = v.integer < r->min ? r->min : static_cast<int64_t>(r->max);
	reject(v.offset, field + ": " + std::to_string(v.integer) + " is out of range: expected " + range_text(*r) +
				 ", the nearest is " + std::to_string(nearest));
}

bool is_attack_id(std::string_view s)
{
	auto digits = [&](size_t from, size_t n) {
		for (size_t i = from; i < from + n; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
		return true;
	};
	if (s.size() != 5 && s.size() != 9)
		return false;
	return s[0] == 'T' && digits(1, 4) && (s.size() == 5 || (s[5] == '.' && digits(6, 3)));
}

} // namespace guard::rules
