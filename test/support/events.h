/* SPDX-License-Identifier: GPL-2.0-or-later */
// Finding guard's output line for an event a test caused, and reading its
// fields: the line must name the right type and pid, then the test checks
// the exact fields.
#pragma once

#include <simdjson.h>

#include <functional>
#include <memory>
#include <string>

#include "test/support/e2e_support.h"

namespace guard::test {

// A parsed output line; the parser keeps the document alive, so an Event
// stays where it was made (find_event hands out a unique_ptr).
struct Event {
	std::string line;
	simdjson::dom::parser parser;
	simdjson::dom::element doc;

	std::string_view str(const char *key) { return doc[key].get_string().value_unsafe(); }
	int64_t num(const char *key) { return doc[key].get_int64().value_unsafe(); }
	bool flag(const char *key) // a boolean field, false when absent
	{
		bool b = false;
		return doc[key].get_bool().get(b) == simdjson::SUCCESS && b;
	}
	bool has(const char *key) { return doc[key].error() == simdjson::SUCCESS; }
};

// The first line of this type from this pid for which also(doc) holds,
// waiting up to the timeout. Returns null when none came.
inline std::unique_ptr<Event> find_event(GuardProcess &guard, const std::string &type, pid_t pid,
				       const std::function<bool(simdjson::dom::element)> &also = {},
				       std::chrono::milliseconds timeout = std::chrono::seconds(3))
{
	const std::string type_field = "\"type\":\"" + type + "\"";
	const std::string pid_field = "\"pid\":" + std::to_string(pid) + ",";
	simdjson::dom::parser parser;
	auto line = guard.find_line(
		[&](const std::string &l) {
			if (l.find(type_field) == std::string::npos || l.find(pid_field) == std::string::npos)
				return false;
			simdjson::dom::element doc;
			return parser.parse(l).get(doc) == simdjson::SUCCESS && (!also || also(doc));
		},
		timeout);
	if (!line)
		return nullptr;
	auto ev = std::make_unique<Event>();
	ev->line = *line;
	if (ev->parser.parse(ev->line).get(ev->doc) != simdjson::SUCCESS)
		return nullptr;
	return ev;
}

// also-predicate: the string field key equals value.
inline std::function<bool(simdjson::dom::element)> field_is(const char *key, std::string value)
{
	return [key, value](simdjson::dom::element doc) {
		std::string_view v;
		return doc[key].get_string().get(v) == simdjson::SUCCESS && v == value;
	};
}

// Whether an alert for rule came from pid (waiting as find_line does), with
// also somewhere in its line.
inline bool alerted(GuardProcess &guard, pid_t pid, const std::string &rule, const std::string &also = "")
{
	const std::string pid_field = "\"pid\":" + std::to_string(pid) + ",";
	return guard
		.find_line([&](const std::string &l) {
			return l.find("\"type\":\"alert\"") != std::string::npos && l.find(pid_field) != std::string::npos &&
			       l.find("\"rule\":\"" + rule + "\"") != std::string::npos && l.find(also) != std::string::npos;
		})
		.has_value();
}

} // namespace guard::test
