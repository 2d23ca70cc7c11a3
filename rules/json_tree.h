/* SPDX-License-Identifier: GPL-2.0-or-later */
// A rules file as a small tree that remembers where every value and key was
// in the text, so each later complaint can say file:line:col. simdjson
// (On Demand) does the parsing; rules files are small and read at start or
// reload, never on the hot path, so owning copies here is fine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace guard::rules {

struct JsonValue {
	enum class Type : uint8_t { null, boolean, integer, real, string, array, object };
	struct Member;

	Type type = Type::null;
	size_t offset = 0; // byte offset of the value's first character
	bool boolean = false;
	int64_t integer = 0;
	// An integer above INT64_MAX (a 64-bit id, a cgroup id): integer holds
	// its bits, and only fields of 64 unsigned bits take it (value_checks.h).
	bool above_int64 = false;
	double real = 0;
	std::string string;
	std::vector<JsonValue> items;  // array
	std::vector<Member> members;   // object, in file order

	const JsonValue *get(std::string_view key) const;
};

struct JsonValue::Member {
	std::string key;
	size_t key_offset = 0;
	JsonValue value;
};

const char *type_name(JsonValue::Type t);

// Where a problem is: a byte offset in the text, and what is wrong.
struct ParseProblem {
	size_t offset = 0;
	std::string message;
};

// Parses text into out; on failure returns false and says where and why.
// Duplicate keys in an object are a problem too (JSON leaves them undefined).
bool parse_json_tree(std::string_view text, JsonValue &out, ParseProblem &problem);

// 1-based line and column (in bytes) of an offset.
std::pair<size_t, size_t> line_col(std::string_view text, size_t offset);

} // namespace guard::rules
