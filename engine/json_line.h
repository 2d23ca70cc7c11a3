// Builds one JSON object, field by field, into memory the BatchWriter has
// reserved. No allocation and no bounds checks per byte: the caller reserves
// the record's worst case (line_max_bytes) before it starts.
#pragma once

#include <cstring>
#include <string_view>

#include "abi/guard_abi.h"
#include "engine/json_text.h"

namespace guard {

// No line is longer: every string in a record fits in GUARD_RECORD_MAX bytes,
// and a string byte costs at most 6 bytes escaped plus 2 in its _hex twin.
constexpr size_t line_max_bytes = 8 * GUARD_RECORD_MAX + 4096;

class JsonLine {
public:
	explicit JsonLine(char *out) : out_(out) { *out_++ = '{'; }

	void field_uint(std::string_view key, uint64_t value)
	{
		write_key(key);
		out_ = write_uint(out_, value);
	}

	void field_int(std::string_view key, int64_t value)
	{
		write_key(key);
		if (value < 0) {
			*out_++ = '-';
			out_ = write_uint(out_, 0 - static_cast<uint64_t>(value));
		} else {
			out_ = write_uint(out_, static_cast<uint64_t>(value));
		}
	}

	void field_bool(std::string_view key, bool value)
	{
		write_key(key);
		append(value ? "true" : "false");
	}

	// NUL-separated strings from the kernel (argv) as an array of strings;
	// when any is not valid UTF-8, "<key>_hex" holds every one in hex.
	void field_string_list(std::string_view key, std::string_view nul_separated)
	{
		write_key(key);
		bool valid = for_each_item(nul_separated, [&](std::string_view item) {
			bool ok = true;
			*out_++ = '"';
			out_ = write_json_string_body(out_, item, ok);
			*out_++ = '"';
			return ok;
		});
		if (!valid) {
			*out_++ = ',';
			*out_++ = '"';
			append(key);
			append("_hex\":");
			for_each_item(nul_separated, [&](std::string_view item) {
				*out_++ = '"';
				out_ = write_hex(out_, item);
				*out_++ = '"';
				return true;
			});
		}
	}

	// A string from the kernel: escaped, and with "<key>_hex" when it was not
	// valid UTF-8 (see json_text.h).
	void field_string(std::string_view key, std::string_view bytes)
	{
		write_key(key);
		*out_++ = '"';
		bool valid = true;
		out_ = write_json_string_body(out_, bytes, valid);
		*out_++ = '"';
		if (!valid) {
			*out_++ = ',';
			*out_++ = '"';
			append(key);
			append("_hex\":\"");
			out_ = write_hex(out_, bytes);
			*out_++ = '"';
		}
	}

	// A string guard itself chose (a kind name): known to need no escaping.
	void field_literal(std::string_view key, std::string_view text)
	{
		write_key(key);
		*out_++ = '"';
		append(text);
		*out_++ = '"';
	}

	void field_time(std::string_view key, int64_t unix_ns)
	{
		write_key(key);
		*out_++ = '"';
		out_ = write_rfc3339(out_, unix_ns);
		*out_++ = '"';
	}

	// Closes the object and the line; returns the end for BatchWriter::commit.
	char *finish()
	{
		*out_++ = '}';
		*out_++ = '\n';
		return out_;
	}

private:
	// Writes [item, item, ...] of the NUL-separated list; returns whether
	// write_item returned true for every item.
	template <class F>
	bool for_each_item(std::string_view list, F write_item)
	{
		bool all = true;
		*out_++ = '[';
		for (size_t start = 0; !list.empty() && start <= list.size();) {
			size_t end = list.find('\0', start);
			if (end == std::string_view::npos)
				end = list.size();
			if (start > 0)
				*out_++ = ',';
			all = write_item(list.substr(start, end - start)) && all;
			start = end + 1;
		}
		*out_++ = ']';
		return all;
	}

	void append(std::string_view s)
	{
		std::memcpy(out_, s.data(), s.size());
		out_ += s.size();
	}
	void write_key(std::string_view key)
	{
		if (!first_)
			*out_++ = ',';
		first_ = false;
		*out_++ = '"';
		append(key);
		*out_++ = '"';
		*out_++ = ':';
	}

	char *out_;
	bool first_ = true;
};

} // namespace guard
