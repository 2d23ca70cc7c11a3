// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/host_identity.h"

#include <sys/utsname.h>

#include <algorithm>
#include <fstream>

#include "engine/json_writer.h"

namespace guard {

namespace {

std::string first_line(const std::string &path)
{
	std::ifstream in(path);
	std::string line;
	std::getline(in, line);
	return line;
}

// machine-id(5): 32 lowercase hex digits; anything else ("uninitialized"
// on a first boot, an empty file in an image) is no id.
bool is_machine_id(const std::string &s)
{
	return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
		       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
	       });
}

} // namespace

HostIdentity read_host_identity(const std::string &root)
{
	HostIdentity host;
	struct utsname u {};
	if (::uname(&u) == 0 && std::string_view(u.nodename) != "(none)")
		host.hostname = u.nodename;
	host.machine_id = first_line(root + "/etc/machine-id");
	if (!is_machine_id(host.machine_id))
		host.machine_id.clear();
	host.boot_id = first_line(root + "/proc/sys/kernel/random/boot_id");
	return host;
}

std::string host_fields_json(const HostIdentity &host)
{
	// A hostname is at most 64 bytes, 6 each escaped, and its hex twin.
	std::string text(1024 + 8 * host.hostname.size(), '\0');
	JsonWriter w(text.data(), JsonWriter::fragment);
	w.field_string("host", host.hostname);
	if (!host.machine_id.empty())
		w.field_literal("machine_id", host.machine_id);
	text.resize(static_cast<size_t>(w.position() - text.data()));
	return text;
}

} // namespace guard
