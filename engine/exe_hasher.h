/* SPDX-License-Identifier: GPL-2.0-or-later */
// Hashing executables off the hot path: a thread of its own takes requests
// (an executable's identity, a process running it, the path the kernel
// walked) from one bounded lock-free queue and puts results in another
// (spsc_ring.h). The ring consumer pushes and takes, never waits; the
// hasher sleeps on a counter the consumer bumps and wakes once per batch.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "base/sha256.h"
#include "engine/exe_identity.h"
#include "engine/spsc_ring.h"

namespace guard {

struct ExeHashRequest {
	static constexpr size_t path_max = 256; // longer paths are not tried (the process's exe, /proc first)
	ExeIdentity id;
	uint32_t pid = 0; // a process running it: /proc/PID/exe is the kernel's file
	uint16_t path_len = 0;
	char path[path_max] = {};
};

struct ExeHashResult {
	ExeIdentity id;
	bool ok = false; // false: unknown (below)
	char hex[Sha256::hex_size] = {};
};

// Files larger than this are not hashed (their hash stays unknown).
constexpr uint64_t exe_hash_max_bytes = uint64_t(512) << 20;

// Hashes the file the request names, if it is still the file of that
// identity: /proc/PID/exe first (the kernel's own file, even when the path
// was renamed or deleted; its inode number and change time must match:
// st_dev may differ from the super block's on overlayfs and btrfs), then the
// path the kernel walked (dev, inode number and change time must all
// match). The change time is checked again after reading, so a file written
// meanwhile is not given a hash it never had. Anything else: not ok.
ExeHashResult hash_executable(const ExeHashRequest &r, const char *proc_root = "/proc");

class ExeHasher {
public:
	static constexpr size_t queue_size = 256;

	ExeHasher();
	~ExeHasher();
	ExeHasher(const ExeHasher &) = delete;
	ExeHasher &operator=(const ExeHasher &) = delete;

	// The consumer's side. Hot path: push (false: the queue is full) and
	// take; between batches: wake, which starts the thread the first time
	// (so it is made after guard dropped its privileges, holding only what
	// the loop holds) and wakes it when requests came since the last call.
	bool push(const ExeHashRequest &r);
	bool take(ExeHashResult &out) { return results_.pop(out); }
	void wake();

private:
	void run();

	SpscRing<ExeHashRequest, queue_size> requests_;
	SpscRing<ExeHashResult, queue_size> results_;
	std::atomic<uint32_t> pushed_{0}; // bumped per request; the thread waits on it
	uint32_t woken_at_ = 0;           // pushed_ at the last wake (the consumer's)
	std::atomic<bool> stop_{false};
	std::thread thread_;
};

} // namespace guard
