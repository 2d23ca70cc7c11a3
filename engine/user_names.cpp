// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/user_names.h"

#include <algorithm>
#include <charconv>
#include <fstream>

namespace guard {

void UserNames::load(const char *passwd)
{
	std::vector<std::pair<uint32_t, std::string>> entries;
	std::ifstream in(passwd);
	for (std::string line; std::getline(in, line);) {
		size_t name_end = line.find(':');
		size_t uid_at = name_end == std::string::npos ? name_end : line.find(':', name_end + 1);
		if (uid_at == std::string::npos || name_end == 0)
			continue;
		uint32_t uid = 0;
		const char *first = line.data() + uid_at + 1, *last = line.data() + line.size();
		auto [end, ec] = std::from_chars(first, last, uid);
		if (ec == std::errc() && end != first && (end == last || *end == ':'))
			entries.emplace_back(uid, line.substr(0, name_end));
	}
	set(std::move(entries));
}

void UserNames::set(std::vector<std::pair<uint32_t, std::string>> entries)
{
	// The first entry for a uid wins, as getpwuid(3) would answer.
	std::stable_sort(entries.begin(), entries.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
	entries.erase(std::unique(entries.begin(), entries.end(), [](const auto &a, const auto &b) { return a.first == b.first; }),
		      entries.end());
	by_uid_ = std::move(entries);
	loaded_ = true;
}

std::string_view UserNames::name_of(uint32_t uid) const
{
	auto it = std::lower_bound(by_uid_.begin(), by_uid_.end(), uid, [](const auto &e, uint32_t u) { return e.first < u; });
	return it != by_uid_.end() && it->first == uid ? std::string_view(it->second) : std::string_view();
}

} // namespace guard
