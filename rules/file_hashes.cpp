// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules/file_hashes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "base/sha256.h"
#include "rules/json_checks.h"
#include "rules/rule_error.h"

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

uint32_t compile_sha256_of(RuleParts &parts, const JsonValue::Member &op, Field f, const JsonValue &files)
{
	if (f != Field::exe_sha256 || op.key != "in" || op.value.members.size() != 1)
		reject(op.value.offset, "{\"sha256_of\": PATHS} is a value of \"in\" on \"exe_sha256\", alone");
	std::vector<const JsonValue *> paths;
	parts.gather(files, paths);
	RuleSet &set = parts.set();
	Node n{NodeOp::str_equals, f};
	n.first = static_cast<uint32_t>(set.literals.size());
	std::set<std::string> hashes;
	for (const JsonValue *p : paths) {
		expect(*p, JsonValue::Type::string, "\"sha256_of\" path");
		if (!p->string.starts_with("/"))
			reject(p->offset, "\"sha256_of\": expected an absolute path, found \"" + p->string + "\"");
		if (std::optional<std::string> hex = file_sha256(p->string); hex && hashes.insert(*hex).second)
			set.literals.push_back(*hex);
	}
	n.count = static_cast<uint32_t>(set.literals.size() - n.first);
	set.nodes.push_back(n);
	return static_cast<uint32_t>(set.nodes.size() - 1);
}

} // namespace guard::rules
