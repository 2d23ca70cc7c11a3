/* SPDX-License-Identifier: GPL-2.0-or-later */
// The sha256 of each executed file (exe_sha256), computed once per
// identity (dev, inode, change time) and cached. The hot path only looks
// the identity up in a fixed table (4-way set-associative, made at start):
// a hit gives the hash's hex; a miss queues one request for the hasher
// thread (exe_hasher.h) and answers "not known yet", so an exec line may go
// out without the hash and later events of the process (its connect, its
// alerts) carry it, through the process table's identity of its exe. The
// results come back between batches (exchange), on the consumer's thread,
// so the table has one writer and no lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/exe_hasher.h"
#include "engine/zeroed_array.h"

namespace guard {

struct ExeHashStats {
	uint64_t requested = 0;  // identities sent to the hasher
	uint64_t queue_full = 0; // misses not sent: the hasher's queue was full (sent again at a later event)
	uint64_t hashed = 0;     // results with a hash
	uint64_t unknown = 0;    // results without (the file changed or went, too large, unreadable)
	uint64_t evictions = 0;  // entries replaced to make room
};

class ExeHashes {
public:
	static constexpr size_t ways = 4;

	// hashing: whether misses are hashed at all (the agent: yes; a replay's
	// identities are another boot's files: no, nothing is ever known).
	explicit ExeHashes(bool hashing, size_t capacity = 4096);

	// Hot path: the hex sha256 of the file of identity id, or empty when
	// not known (yet). A first miss queues id for the hasher, with pid (a
	// process running it) and path (the kernel's path of it).
	std::string_view lookup(const ExeIdentity &id, uint32_t pid, std::string_view path);

	// Between batches: takes the hasher's results into the table and wakes
	// the hasher for new requests. Returns how many results it took.
	size_t exchange();

	const ExeHashStats &stats() const { return stats_; }

private:
	enum class State : uint8_t { empty, pending, known, unknown };
	struct Entry {
		ExeIdentity id;
		State state;
		char hex[Sha256::hex_size];
	};

	Entry *find(const ExeIdentity &id);
	Entry &claim(const ExeIdentity &id); // a way of id's set, evicting when full
	size_t set_of(const ExeIdentity &id) const;

	size_t sets_;
	ZeroedArray<Entry> entries_;    // sets_ * ways; all-zero is empty
	ZeroedArray<uint8_t> victim_;   // per set: the way to evict next
	std::unique_ptr<ExeHasher> hasher_;
	ExeHashStats stats_;
};

} // namespace guard
