// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/syslog_message.h"

#include <time.h>

#include <cstdio>

namespace guard {

namespace {

// A JSON string's text starting at `from` (just past its opening quote), up
// to its closing quote.
std::string_view json_string_at(std::string_view line, size_t from)
{
	for (size_t i = from; i < line.size(); i++) {
		if (line[i] == '\\')
			i++;
		else if (line[i] == '"')
			return line.substr(from, i - from);
	}
	return {};
}

std::string_view string_field(std::string_view line, std::string_view key_quote)
{
	size_t at = line.find(key_quote);
	return at == std::string_view::npos ? std::string_view() : json_string_at(line, at + key_quote.size());
}

// RFC 5424's PRINTUSASCII, at most max bytes; "-" for nothing.
std::string printable_ascii(std::string_view s, size_t max)
{
	std::string out;
	for (char c : s.substr(0, max))
		if (c > 32 && c < 127)
			out += c;
	return out.empty() ? "-" : out;
}

// SD-PARAM values escape '"', '\' and ']' (RFC 5424 6.3.3).
void append_param_value(std::string &out, std::string_view v)
{
	for (char c : v) {
		if (c == '"' || c == '\\' || c == ']')
			out += '\\';
		out += c;
	}
}

} // namespace

LineFacts read_line_facts(std::string_view line)
{
	LineFacts facts;
	constexpr std::string_view type_key = "{\"type\":\"";
	if (line.starts_with(type_key))
		facts.type = json_string_at(line, type_key.size());
	if (facts.type == "alert") {
		facts.rule = string_field(line, ",\"rule\":\"");
		facts.severity = string_field(line, ",\"severity\":\"");
	}
	return facts;
}

int syslog_severity(const LineFacts &facts, std::string_view line)
{
	if (facts.type == "alert") {
		if (facts.severity == "critical")
			return 2;
		if (facts.severity == "high")
			return 3;
		if (facts.severity == "medium")
			return 4;
		if (facts.severity == "low")
			return 5;
		return 6;
	}
	if (facts.type == "reload" && line.find(",\"ok\":false") != std::string_view::npos)
		return 4;
	return 6;
}

SyslogIdentity syslog_identity(std::string_view hostname, long pid)
{
	return {printable_ascii(hostname, 255), std::to_string(pid)};
}

std::string syslog_timestamp_now()
{
	struct timespec now {};
	clock_gettime(CLOCK_REALTIME, &now);
	struct tm t {};
	gmtime_r(&now.tv_sec, &t);
	char buf[128];
	std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", t.tm_year + 1900, t.tm_mon + 1,
		      t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, static_cast<int>(now.tv_nsec / 1000));
	return buf;
}

void append_syslog_message(std::string &out, const SyslogIdentity &id, std::string_view timestamp,
			   std::string_view line)
{
	if (line.ends_with('\n'))
		line.remove_suffix(1);
	LineFacts facts = read_line_facts(line);
	out += '<';
	out += std::to_string(kSyslogFacility * 8 + syslog_severity(facts, line));
	out += ">1 ";
	out += timestamp;
	out += ' ';
	out += id.hostname;
	out += " guard ";
	out += id.procid;
	out += ' ';
	out += printable_ascii(facts.type, 32); // MSGID: at most 32 characters
	if (facts.type == "alert") {
		// 32473: the enterprise number RFC 5612 sets aside for examples
		// and documentation; guard has none of its own.
		out += " [guard@32473 rule=\"";
		append_param_value(out, facts.rule);
		out += "\" severity=\"";
		append_param_value(out, facts.severity);
		out += "\"] ";
	} else {
		out += " - ";
	}
	out += line;
}

} // namespace guard
