// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules/file_hashes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <tuple>

#include "base/sha256.h"

namespace guard::rules {

namespace {

using Identity = std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t>; // dev, ino, ctime s, ns, size

std::mutex memo_lock;
std::map<Identity, std::string> &memo()
{
	static std::map<Identity, std::string> hashes;
	return hashes;
}

} // namespace

std::optional<std::string> file_sha256(const std::string &path)
{
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return std::nullopt;
	struct stat st;
	std::optional<std::string> hex;
	if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		Identity id{st.st_dev, st.st_ino, st.st_ctim.tv_sec, st.st_ctim.tv_nsec, st.st_size};
		std::lock_guard lock(memo_lock);
		auto it = memo().find(id);
		Sha256::Digest digest;
		if (it != memo().end())
			hex = it->second;
		else if (sha256_fd(fd, digest))
			hex = memo()[id] = sha256_hex(digest);
	}
	::close(fd);
	return hex;
}

} // namespace guard::rules
