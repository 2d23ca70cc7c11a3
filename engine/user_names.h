/* SPDX-License-Identifier: GPL-2.0-or-later */
// User names by uid, for rules that test `user` (Sigma's User): read from
// /etc/passwd when rules load (the file itself, not NSS: the static binary
// cannot load NSS modules), then looked up by binary search on
// every event (no allocation, no NSS call on the hot path). A user added
// later is unknown (empty name) until the next reload.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace guard {

class UserNames {
public:
	// Reads "name:password:uid:..." lines; a missing file leaves no names.
	void load(const char *passwd = "/etc/passwd");
	// For tests: the names, as if the database held them.
	void set(std::vector<std::pair<uint32_t, std::string>> entries);
	bool loaded() const { return loaded_; }
	std::string_view name_of(uint32_t uid) const;

private:
	std::vector<std::pair<uint32_t, std::string>> by_uid_; // sorted by uid
	bool loaded_ = false;
};

} // namespace guard
