// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules/json_tree.h"

#include <simdjson.h>

#include <algorithm>

namespace guard::rules {

namespace od = simdjson::ondemand;

const JsonValue *JsonValue::get(std::string_view key) const
{
	for (const Member &m : members)
		if (m.key == key)
			return &m.value;
	return nullptr;
}

const char *type_name(JsonValue::Type t)
{
	switch (t) {
	case JsonValue::Type::null: return "null";
	case JsonValue::Type::boolean: return "a boolean";
	case JsonValue::Type::integer: return "an integer";
	case JsonValue::Type::real: return "a number";
	case JsonValue::Type::string: return "a string";
	case JsonValue::Type::array: return "an array";
	case JsonValue::Type::object: return "an object";
	}
	return "?";
}

std::pair<size_t, size_t> line_col(std::string_view text, size_t offset)
{
	offset = std::min(offset, text.size());
	size_t line = 1, col = 1;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return {line, col};
}

namespace {

constexpr size_t kMaxDepth = 64;

struct Failure {
	size_t offset;
	std::string message;
	bool syntax = false; // simdjson refused the text: where it stopped says more than offset
};

class TreeBuilder {
public:
	TreeBuilder(const char *base, size_t size) : base_(base), size_(size) {}

	size_t offset_of(const char *p) const
	{
		if (!p || p < base_)
			return size_;
		return std::min(static_cast<size_t>(p - base_), size_);
	}

	template <class V>
	size_t where(V &v)
	{
		const char *p = nullptr;
		if (v.current_location().get(p) != simdjson::SUCCESS)
			return size_;
		return offset_of(p);
	}

	[[noreturn]] void fail(size_t offset, simdjson::error_code e, const char *what)
	{
		throw Failure{offset, std::string(what) + " (" + simdjson::error_message(e) + ")", true};
	}

	void check(simdjson::error_code e, size_t offset, const char *what)
	{
		if (e != simdjson::SUCCESS)
			fail(offset, e, what);
	}

	void build(od::value v, JsonValue &out, size_t depth)
	{
		if (depth > kMaxDepth)
			throw Failure{where(v), "nested too deeply (more than 64 levels)"};
		out.offset = where(v);
		od::json_type type{};
		check(v.type().get(type), out.offset, "expected a JSON value");
		switch (type) {
		case od::json_type::object: {
			out.type = JsonValue::Type::object;
			od::object obj;
			check(v.get_object().get(obj), out.offset, "expected an object");
			build_object(obj, out, depth);
			break;
		}
		case od::json_type::array: {
			out.type = JsonValue::Type::array;
			od::array arr;
			check(v.get_array().get(arr), out.offset, "expected an array");
			for (auto item : arr) {
				od::value iv;
				check(std::move(item).get(iv), out.offset, "bad array element");
				out.items.emplace_back();
				build(iv, out.items.back(), depth + 1);
			}
			break;
		}
		case od::json_type::string: {
			out.type = JsonValue::Type::string;
			std::string_view s;
			check(v.get_string().get(s), out.offset, "bad string");
			out.string.assign(s);
			break;
		}
		case od::json_type::boolean:
			out.type = JsonValue::Type::boolean;
			check(v.get_bool().get(out.boolean), out.offset, "expected true or false");
			break;
		case od::json_type::null: {
			out.type = JsonValue::Type::null;
			bool is_null = false;
			check(v.is_null().get(is_null), out.offset, "expected null");
			if (!is_null)
				throw Failure{out.offset, "expected null"};
			break;
		}
		case od::json_type::number: {
			od::number_type nt{};
			check(v.get_number_type().get(nt), out.offset, "bad number");
			if (nt == od::number_type::signed_integer) {
				out.type = JsonValue::Type::integer;
				check(v.get_int64().get(out.integer), out.offset, "bad integer");
			} else if (nt == od::number_type::unsigned_integer) {
				uint64_t u = 0;
				check(v.get_uint64().get(u), out.offset, "bad integer");
				out.type = JsonValue::Type::integer;
				out.integer = static_cast<int64_t>(u);
				out.above_int64 = true;
			} else {
				out.type = JsonValue::Type::real;
				check(v.get_double().get(out.real), out.offset, "bad number");
			}
			break;
		}
		}
	}

	void build_object(od::object &obj, JsonValue &out, size_t depth)
	{
		for (auto field_result : obj) {
			od::field field;
			check(std::move(field_result).get(field), out.offset, "bad object member");
			JsonValue::Member m;
			// The raw key points just after its opening quote.
			m.key_offset = offset_of(reinterpret_cast<const char *>(field.key().raw())) - 1;
			std::string_view key;
			check(field.unescaped_key().get(key), m.key_offset, "bad key");
			m.key.assign(key);
			for (const JsonValue::Member &seen : out.members)
				if (seen.key == m.key)
					throw Failure{m.key_offset, "duplicate key \"" + m.key + "\""};
			build(field.value(), m.value, depth + 1);
			out.members.push_back(std::move(m));
		}
	}

private:
	const char *base_;
	size_t size_;
};

// simdjson's first pass reports some errors with no position; find it ourselves.
size_t locate_stage1_error(std::string_view text, simdjson::error_code e)
{
	if (e == simdjson::UTF8_ERROR) {
		for (size_t i = 0; i < text.size();) {
			auto b = static_cast<unsigned char>(text[i]);
			size_t n = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
							 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
			if (n == 0 || i + n > text.size() || !simdjson::validate_utf8(text.data() + i, n))
				return i;
			i += n;
		}
	}
	if (e == simdjson::UNCLOSED_STRING) {
		size_t open = text.size();
		bool in = false;
		for (size_t i = 0; i < text.size(); i++) {
			if (in && text[i] == '\\')
				i++;
			else if (text[i] == '"') {
				in = !in;
				open = i;
			}
		}
		return open;
	}
	return text.size();
}

} // namespace

bool parse_json_tree(std::string_view text, JsonValue &out, ParseProblem &problem)
{
	out = JsonValue{};
	simdjson::padded_string padded(text);
	od::parser parser;
	od::document doc;
	TreeBuilder b(padded.data(), text.size());
	bool started = false; // the document may only be asked where it is once iterate() succeeded
	try {
		simdjson::error_code e = parser.iterate(padded).get(doc);
		if (e == simdjson::EMPTY)
			throw Failure{0, "expected a JSON object, found an empty file"};
		if (e != simdjson::SUCCESS)
			throw Failure{locate_stage1_error(text, e), std::string("not valid JSON (") + simdjson::error_message(e) + ")"};
		started = true;
		bool scalar = false;
		if (doc.is_scalar().get(scalar) != simdjson::SUCCESS || scalar)
			throw Failure{b.where(doc), "expected a JSON object at the top level"};
		od::value root;
		b.check(doc.get_value().get(root), b.where(doc), "expected a JSON object");
		b.build(root, out, 0);
		// Anything but white space after the top-level value is an error.
		const char *rest = nullptr;
		if (doc.current_location().get(rest) == simdjson::SUCCESS) {
			size_t at = b.offset_of(rest);
			size_t end = text.find_last_not_of(" \t\r\n");
			if (at < text.size() && end != std::string_view::npos && at <= end)
				throw Failure{at, "unexpected text after the top-level value"};
		}
		return true;
	} catch (const Failure &f) {
		// An error inside a nested value: the document knows where it stopped.
		size_t offset = f.offset;
		if ((offset >= text.size() || f.syntax) && started) {
			const char *p = nullptr;
			if (doc.current_location().get(p) == simdjson::SUCCESS)
				offset = b.offset_of(p);
		}
		problem = {offset, f.message};
		return false;
	}
}

} // namespace guard::rules
