/* SPDX-License-Identifier: GPL-2.0-or-later */
// One output line as a journald native-protocol entry (systemd's
// "Native Journal Protocol"): KEY=value lines, a value holding a newline
// sent as KEY, newline, its length (64-bit little endian), the value,
// newline. MESSAGE is the JSON line; PRIORITY the syslog severity
// (syslog_message.h); GUARD_TYPE, and on alerts GUARD_RULE and
// GUARD_SEVERITY, for journalctl GUARD_RULE=... to find them.
#pragma once

#include <string>
#include <string_view>

namespace guard {

void append_journal_entry(std::string &out, std::string_view line);

} // namespace guard
