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
