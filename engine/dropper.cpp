// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/dropper.h"

namespace guard {

uint64_t path_hash(std::string_view s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned char c : s) {
		h ^= c;
		h *= 0x100000001b3ull;
	}
	return h;
}

DropperRule::DropperRule(std::vector<std::string> watch, uint64_t window_ns, size_t sets)
	: watch_(std::move(watch)), window_ns_(window_ns)
{
	size_t n = 1;
	while (n < sets)
		n <<= 1;
	set_mask_ = n - 1;
	slots_ = std::make_unique<Slot[]>(n * ways);
}

bool DropperRule::watched(std::string_view path) const
{
	for (const std::string &w : watch_)
		if (path.starts_with(w))
			return true;
	return false;
}

void DropperRule::on_written(std::string_view path, uint64_t boot_ns)
{
	if (!watched(path))
		return;
	uint64_t h = path_hash(path);
	Slot *set = &slots_[(h & set_mask_) * ways];
	Slot *victim = &set[0];
	for (size_t i = 0; i < ways; i++) {
		if (set[i].time_ns != 0 && set[i].hash == h) {
			victim = &set[i];
			break;
		}
		if (set[i].time_ns < victim->time_ns)
			victim = &set[i];
	}
	// boot_ns is never 0 for a real event; keep 0 meaning "empty".
	*victim = {h, boot_ns ? boot_ns : 1};
}

bool DropperRule::on_exec(std::string_view path, uint64_t boot_ns) const
{
	if (!watched(path))
		return false;
	uint64_t h = path_hash(path);
	const Slot *set = &slots_[(h & set_mask_) * ways];
	for (size_t i = 0; i < ways; i++)
		if (set[i].time_ns != 0 && set[i].hash == h)
			return boot_ns >= set[i].time_ns && boot_ns - set[i].time_ns <= window_ns_;
	return false;
}

} // namespace guard
