/* SPDX-License-Identifier: GPL-2.0-or-later */
// Which host a line comes from, for fleets whose lines meet in one pipeline:
// the hostname (uname's nodename), the machine id (/etc/machine-id, stable
// across boots) and the boot id (/proc/sys/kernel/random/boot_id, new at
// every boot). Read once at start, never per event.
#pragma once

#include <string>

namespace guard {

struct HostIdentity {
	std::string hostname;   // empty: none set
	std::string machine_id; // 32 lowercase hex digits, or empty: missing or not one
	std::string boot_id;    // as the kernel prints it (a UUID), or empty
};

// Reads them under root ("" is /): tests point it at a root of their own.
HostIdentity read_host_identity(const std::string &root = "");

// "host":"NAME","machine_id":"ID" as JSON fields (a fragment for
// JsonWriter::raw_fields); machine_id left out when unknown.
std::string host_fields_json(const HostIdentity &host);

} // namespace guard
