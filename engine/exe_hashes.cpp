// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/exe_hashes.h"

#include <algorithm>
#include <cstring>

namespace guard {

ExeHashes::ExeHashes(bool hashing, size_t capacity)
{
	sets_ = 1;
	while (sets_ * ways < capacity)
		sets_ <<= 1;
	entries_ = ZeroedArray<Entry>(sets_ * ways);
	victim_ = ZeroedArray<uint8_t>(sets_);
	if (hashing)
		hasher_ = std::make_unique<ExeHasher>();
}

size_t ExeHashes::set_of(const ExeIdentity &id) const
{
	uint64_t h = id.ino * 0x9E3779B97F4A7C15ull ^ id.ctime_ns * 0xC2B2AE3D27D4EB4Full ^ id.dev;
	return (h ^ (h >> 29)) & (sets_ - 1);
}

ExeHashes::Entry *ExeHashes::find(const ExeIdentity &id)
{
	Entry *set = &entries_[set_of(id) * ways];
	for (size_t w = 0; w < ways; w++)
		if (set[w].state != State::empty && set[w].id == id)
			return &set[w];
	return nullptr;
}

ExeHashes::Entry &ExeHashes::claim(const ExeIdentity &id)
{
	size_t s = set_of(id);
	Entry *set = &entries_[s * ways];
	for (size_t w = 0; w < ways; w++)
		if (set[w].state == State::empty)
			return set[w];
	stats_.evictions++;
	uint8_t &victim = victim_[s];
	Entry &e = set[victim];
	victim = static_cast<uint8_t>((victim + 1) % ways);
	return e;
}

std::string_view ExeHashes::lookup(const ExeIdentity &id, uint32_t pid, std::string_view path)
{
	if (!id.known())
		return {};
	if (const Entry *e = find(id))
		return e->state == State::known ? std::string_view(e->hex, sizeof(e->hex)) : std::string_view();
	if (!hasher_)
		return {};
	ExeHashRequest r;
	r.id = id;
	r.pid = pid;
	if (path.size() < sizeof(r.path)) {
		r.path_len = static_cast<uint16_t>(path.size());
		std::memcpy(r.path, path.data(), path.size());
	}
	if (!hasher_->push(r)) {
		stats_.queue_full++;
		return {};
	}
	stats_.requested++;
	Entry &e = claim(id);
	e.id = id;
	e.state = State::pending;
	return {};
}

size_t ExeHashes::exchange()
{
	if (!hasher_)
		return 0;
	size_t taken = 0;
	ExeHashResult r;
	while (hasher_->take(r)) {
		taken++;
		(r.ok ? stats_.hashed : stats_.unknown)++;
		Entry *e = find(r.id);
		if (!e) {
			e = &claim(r.id);
			e->id = r.id;
		}
		e->state = r.ok ? State::known : State::unknown;
		std::memcpy(e->hex, r.hex, sizeof(e->hex));
	}
	hasher_->wake();
	return taken;
}

} // namespace guard
