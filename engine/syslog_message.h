/* SPDX-License-Identifier: GPL-2.0-or-later */
// One output line as an RFC 5424 syslog message, and what a forwarder
// needs to know of a line (its type; an alert's rule and severity) without
// parsing it: guard's lines start with "type", and an alert's rule fields
// come before any text an event supplies (alert_json.cpp), so the first
// ,"rule":" of an alert is its own. Runs on the forwarder's thread.
#pragma once

#include <string>
#include <string_view>

namespace guard {

struct LineFacts {
	std::string_view type;     // "exec", "alert", "health", ...; empty if the line has none
	std::string_view rule;     // alerts: the rule id as JSON spells it
	std::string_view severity; // alerts: info .. critical
};

LineFacts read_line_facts(std::string_view line);

// The syslog severity (RFC 5424 6.2.1) of a line: an alert's by its rule's
// severity (critical 2, high 3, medium 4, low 5, info 6), a failed reload
// 4, anything else 6 (informational).
int syslog_severity(const LineFacts &facts, std::string_view line);

// Facility "daemon" (3): guard is a system daemon; rsyslog routes it by
// APP-NAME (programname "guard").
constexpr int kSyslogFacility = 3;

struct SyslogIdentity {
	std::string hostname; // printable US-ASCII, or "-"
	std::string procid;   // guard's pid
};

SyslogIdentity syslog_identity(std::string_view hostname, long pid);

// "2026-12-02T06:10:00.123456Z": RFC 5424's TIMESTAMP, now.
std::string syslog_timestamp_now();

// Appends <PRI>1 TIMESTAMP HOSTNAME guard PROCID MSGID SD MSG, where MSGID
// is the line's type, SD is [guard@32473 rule=".." severity=".."] on an
// alert and "-" otherwise, and MSG is the JSON line (without its newline).
void append_syslog_message(std::string &out, const SyslogIdentity &id, std::string_view timestamp,
			   std::string_view line);

} // namespace guard
