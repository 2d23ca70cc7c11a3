// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/exe_hasher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

namespace guard {

namespace {

uint64_t ctime_ns_of(const struct stat &st)
{
	return uint64_t(st.st_ctim.tv_sec) * 1000000000u + uint64_t(st.st_ctim.tv_nsec);
}

// Whether fd is a regular file of identity id (dev compared when asked).
bool same_file(int fd, const ExeIdentity &id, bool compare_dev, struct stat &st)
{
	return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_ino) == id.ino &&
	       ctime_ns_of(st) == id.ctime_ns && (!compare_dev || uint64_t(st.st_dev) == id.dev) &&
	       uint64_t(st.st_size) <= exe_hash_max_bytes;
}

int open_verified(const char *path, const ExeIdentity &id, bool compare_dev, struct stat &st)
{
	// O_NONBLOCK: whatever is at a path now, opening it must not wait.
	int fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0 && !same_file(fd, id, compare_dev, st)) {
		::close(fd);
		fd = -1;
	}
	return fd;
}

} // namespace

ExeHashResult hash_executable(const ExeHashRequest &r, const char *proc_root)
{
	ExeHashResult out;
	out.id = r.id;
	if (!r.id.known())
		return out;
	struct stat before;
	// No allocation on this thread either: it runs beside the hot path.
	char proc[128];
	std::snprintf(proc, sizeof(proc), "%s/%u/exe", proc_root, r.pid);
	int fd = r.pid ? open_verified(proc, r.id, false, before) : -1;
	if (fd < 0 && r.path_len > 0 && r.path_len < sizeof(r.path) && r.path[0] == '/') {
		char path[sizeof(r.path) + 1];
		std::memcpy(path, r.path, r.path_len);
		path[r.path_len] = '\0';
		fd = open_verified(path, r.id, true, before);
	}
	if (fd < 0)
		return out;
	Sha256::Digest digest;
	struct stat after;
	bool read = sha256_fd(fd, digest);
	out.ok = read && ::fstat(fd, &after) == 0 && ctime_ns_of(after) == r.id.ctime_ns && after.st_size == before.st_size;
	::close(fd);
	if (out.ok)
		sha256_hex(digest, out.hex);
	return out;
}

ExeHasher::ExeHasher() = default;

ExeHasher::~ExeHasher()
{
	if (!thread_.joinable())
		return;
	stop_.store(true, std::memory_order_release);
	pushed_.fetch_add(1, std::memory_order_release);
	pushed_.notify_one();
	thread_.join();
}

bool ExeHasher::push(const ExeHashRequest &r)
{
	if (!requests_.push(r))
		return false;
	pushed_.fetch_add(1, std::memory_order_release);
	return true;
}

void ExeHasher::wake()
{
	uint32_t pushed = pushed_.load(std::memory_order_relaxed);
	if (pushed == woken_at_)
		return;
	woken_at_ = pushed;
	if (!thread_.joinable())
		thread_ = std::thread([this] { run(); });
	pushed_.notify_one();
}

void ExeHasher::run()
{
	while (!stop_.load(std::memory_order_acquire)) {
		// Read the counter before looking: a push after the look changes
		// it, and the wait returns at once.
		uint32_t seen = pushed_.load(std::memory_order_acquire);
		ExeHashRequest r;
		if (!requests_.pop(r)) {
			pushed_.wait(seen, std::memory_order_acquire);
			continue;
		}
		ExeHashResult result = hash_executable(r);
		// The consumer takes results between batches; until it makes
		// room, wait a little (requests queue up or are counted as lost).
		while (!results_.push(result))
			if (stop_.load(std::memory_order_acquire))
				return;
			else
				std::this_thread::sleep_for(std::chrono::milliseconds(1));
	}
}

} // namespace guard
