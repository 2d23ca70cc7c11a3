// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/user_names.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

namespace guard {

namespace {

// The whole file, or what could be read of it.
std::string file_text(const char *path)
{
	std::string text;
	int fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return text;
	char buf[16384];
	for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		text.append(buf, static_cast<size_t>(n));
	}
	::close(fd);
	return text;
}

} // namespace

void UserNames::load(const char *passwd)
{
	std::vector<std::pair<uint32_t, std::string>> entries;
	std::string text = file_text(passwd);
	for (size_t at = 0; at < text.size();) {
		size_t nl = std::min(text.find('\n', at), text.size());
		std::string line = text.substr(at, nl - at);
		at = nl + 1;
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
	// By uid, the first entry for a uid kept, as getpwuid(3) would answer:
	// sorted as (uid, position) numbers (a stable sort of the pairs would
	// cost the static binary 35 KB of code).
	std::vector<uint64_t> order(entries.size());
	for (size_t i = 0; i < entries.size(); i++)
		order[i] = uint64_t(entries[i].first) << 32 | i;
	std::sort(order.begin(), order.end());
	by_uid_.clear();
	for (uint64_t o : order) {
		auto &e = entries[static_cast<uint32_t>(o)];
		if (by_uid_.empty() || by_uid_.back().first != e.first)
			by_uid_.push_back(std::move(e));
	}
	loaded_ = true;
}

std::string_view UserNames::name_of(uint32_t uid) const
{
	auto it = std::lower_bound(by_uid_.begin(), by_uid_.end(), uid, [](const auto &e, uint32_t u) { return e.first < u; });
	return it != by_uid_.end() && it->first == uid ? std::string_view(it->second) : std::string_view();
}

} // namespace guard
