/* SPDX-License-Identifier: GPL-2.0-or-later */
// The credentials of a cred_change record by index, with their names in
// output and rules ("old_uid", "new_uid", ...): one table for both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "abi/guard_abi.h"

namespace guard {

struct CredFieldName {
	std::string_view old_name;
	std::string_view new_name;
};

inline constexpr size_t cred_field_count = 11;

inline constexpr CredFieldName cred_field_names[cred_field_count] = {
	{"old_uid", "new_uid"},
	{"old_euid", "new_euid"},
	{"old_suid", "new_suid"},
	{"old_fsuid", "new_fsuid"},
	{"old_gid", "new_gid"},
	{"old_egid", "new_egid"},
	{"old_sgid", "new_sgid"},
	{"old_fsgid", "new_fsgid"},
	{"old_cap_effective", "new_cap_effective"},
	{"old_cap_permitted", "new_cap_permitted"},
	{"old_cap_inheritable", "new_cap_inheritable"},
};

// Credential i of ids, in the order of cred_field_names.
constexpr uint64_t cred_value(const struct guard_cred_ids &ids, size_t i)
{
	switch (i) {
	case 0: return ids.uid;
	case 1: return ids.euid;
	case 2: return ids.suid;
	case 3: return ids.fsuid;
	case 4: return ids.gid;
	case 5: return ids.egid;
	case 6: return ids.sgid;
	case 7: return ids.fsgid;
	case 8: return ids.cap_effective;
	case 9: return ids.cap_permitted;
	default: return ids.cap_inheritable;
	}
}

} // namespace guard
