// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/journal_message.h"

#include <cstdint>

#include "engine/syslog_message.h"

namespace guard {

namespace {

void append_field(std::string &out, std::string_view key, std::string_view value)
{
	out += key;
	if (value.find('\n') == std::string_view::npos) {
		out += '=';
	} else {
		out += '\n';
		uint64_t n = value.size();
		for (int i = 0; i < 8; i++)
			out += static_cast<char>((n >> (8 * i)) & 0xff);
	}
	out += value;
	out += '\n';
}

} // namespace

void append_journal_entry(std::string &out, std::string_view line)
{
	if (line.ends_with('\n'))
		line.remove_suffix(1);
	LineFacts facts = read_line_facts(line);
	append_field(out, "MESSAGE", line);
	append_field(out, "PRIORITY", std::to_string(syslog_severity(facts, line)));
	append_field(out, "SYSLOG_FACILITY", std::to_string(kSyslogFacility));
	append_field(out, "SYSLOG_IDENTIFIER", "guard");
	if (!facts.type.empty())
		append_field(out, "GUARD_TYPE", facts.type);
	if (!facts.rule.empty())
		append_field(out, "GUARD_RULE", facts.rule);
	if (!facts.severity.empty())
		append_field(out, "GUARD_SEVERITY", facts.severity);
}

} // namespace guard
