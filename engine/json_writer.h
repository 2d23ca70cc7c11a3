/* SPDX-License-Identifier: GPL-2.0-or-later */
// The one JSON object writer, for every line guard writes: events, alerts,
// health. It writes into memory the BatchWriter reserved and never allocates;
// the caller reserves the worst case first, so there is no bounds check per
// byte. Strings from the kernel are escaped, with a "<key>_hex" twin when they
// were not UTF-8 (json_text.h).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "abi/guard_abi.h"
#include "engine/json_text.h"

namespace guard {

// No event line is longer: every string in a record fits in GUARD_RECORD_MAX
// bytes, and a string byte costs at most 6 bytes escaped plus 2 in its _hex twin.
constexpr size_t line_max_bytes = 8 * GUARD_RECORD_MAX + 4096;

class JsonWriter {
public:
	explicit JsonWriter(char *out) : out_(out) { open('{'); }

	// A writer of bare fields ("a":1,"b":2, no braces), for text cached and
	// put into lines later with raw_fields(). Take the end from position().
	static constexpr struct Fragment {
	} fragment{};
	JsonWriter(char *out, Fragment) : out_(out) {}

	// Fields already written as JSON by a fragment writer.
	void raw_fields(std::string_view fields)
	{
		comma();
		append(fields);
	}

	// "k":
	void key(std::string_view k)
	{
		comma();
		*out_++ = '"';
		append(k);
		append("\":");
	}
	// "k<suffix>": (suffix: the "_hex" of a twin field).
	void key(std::string_view k, std::string_view suffix)
	{
		comma();
		*out_++ = '"';
		append(k);
		append(suffix);
		append("\":");
	}

	void field_uint(std::string_view k, uint64_t v)
	{
		key(k);
		out_ = write_uint(out_, v);
	}
	void field_int(std::string_view k, int64_t v)
	{
		key(k);
		if (v < 0) {
			*out_++ = '-';
			out_ = write_uint(out_, static_cast<uint64_t>(0) - static_cast<uint64_t>(v));
		} else {
			out_ = write_uint(out_, static_cast<uint64_t>(v));
		}
	}
	void field_bool(std::string_view k, bool v)
	{
		key(k);
		append(v ? "true" : "false");
	}
	// A name guard chose (kind, rule id, severity): no escaping needed.
	void field_literal(std::string_view k, std::string_view text)
	{
		key(k);
		quoted_literal(text);
	}
	void field_time(std::string_view k, int64_t unix_ns)
	{
		key(k);
		*out_++ = '"';
		out_ = write_rfc3339(out_, unix_ns);
		*out_++ = '"';
	}
	// A value already in JSON form (after key()): null, a number.
	void field_literal_value(std::string_view json) { append(json); }

	// Bytes from outside: escaped, plus "<key>_hex" when not UTF-8.
	void field_string(std::string_view k, std::string_view bytes)
	{
		key(k);
		if (!string_value(bytes)) {
			key(k, "_hex");
			*out_++ = '"';
			out_ = write_hex(out_, bytes);
			*out_++ = '"';
		}
	}

	// The same, for bytes already known to need no escaping (json_plain)
	// when plain is true.
	void field_string(std::string_view k, std::string_view bytes, bool plain)
	{
		if (plain)
			field_literal(k, bytes);
		else
			field_string(k, bytes);
	}

	// NUL-separated strings from the kernel (argv) as an array of strings;
	// when any is not valid UTF-8, "<k>_hex" holds every one in hex.
	void field_string_list(std::string_view k, std::string_view nul_separated)
	{
		begin_array(k);
		bool valid = true;
		for_each_item(nul_separated, [&](std::string_view item) { valid = element_string(item) && valid; });
		end_array();
		if (valid)
			return;
		key(k, "_hex");
		open('[');
		for_each_item(nul_separated, [&](std::string_view item) { element_hex(item); });
		end_array();
	}

	// An array element that is a string; returns false when it was not
	// UTF-8 (the caller may then add a hex twin array).
	bool element_string(std::string_view bytes)
	{
		comma();
		return string_value(bytes);
	}
	void element_hex(std::string_view bytes)
	{
		comma();
		*out_++ = '"';
		out_ = write_hex(out_, bytes);
		*out_++ = '"';
	}

	void begin_object(std::string_view k) { key(k), open('{'); }
	void begin_array(std::string_view k) { key(k), open('['); }
	void begin_element_object() { comma(), open('{'); }
	void end_object() { close('}'); }
	void end_array() { close(']'); }

	// Closes the record and the line; returns the end for BatchWriter::commit.
	char *finish()
	{
		while (depth_ > 0)
			close(closers_[depth_ - 1]);
		*out_++ = '\n';
		return out_;
	}

	char *position() const { return out_; }

private:
	static constexpr int max_depth = 8;

	template <class Fn>
	static void for_each_item(std::string_view list, Fn &&fn)
	{
		for (size_t start = 0; !list.empty() && start <= list.size();) {
			size_t end = list.find('\0', start);
			if (end == std::string_view::npos)
				end = list.size();
			fn(list.substr(start, end - start));
			start = end + 1;
		}
	}

	void append(std::string_view s)
	{
		if (s.empty())
			return; // an empty view may have no data at all: memcpy must not see it
		std::memcpy(out_, s.data(), s.size());
		out_ += s.size();
	}
	void quoted_literal(std::string_view s)
	{
		*out_++ = '"';
		append(s);
		*out_++ = '"';
	}
	bool string_value(std::string_view bytes)
	{
		bool valid = true;
		*out_++ = '"';
		out_ = write_json_string_body(out_, bytes, valid);
		*out_++ = '"';
		return valid;
	}
	// Whether the object or array being written needs a comma before its
	// next member is one flag; the enclosing levels' flags wait in a bit
	// stack (comma() runs for every field, so it stays a load and a store).
	void comma()
	{
		if (need_comma_)
			*out_++ = ',';
		need_comma_ = true;
	}
	void open(char c)
	{
		*out_++ = c;
		closers_[depth_++] = c == '{' ? '}' : ']';
		outer_commas_ = (outer_commas_ << 1) | need_comma_;
		need_comma_ = false;
	}
	void close(char c)
	{
		*out_++ = c;
		depth_--;
		need_comma_ = outer_commas_ & 1;
		outer_commas_ >>= 1;
	}

	char *out_;
	int depth_ = 0;
	bool need_comma_ = false;
	uint32_t outer_commas_ = 0; // bit i: need_comma_ of the level i + 1 below the current one
	char closers_[max_depth] = {};
};

} // namespace guard
