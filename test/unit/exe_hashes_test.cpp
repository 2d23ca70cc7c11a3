// SPDX-License-Identifier: GPL-2.0-or-later
// exe_sha256: the hasher verifies the identity it was given before and
// after reading (engine/exe_hasher.h), the cache answers once the result is
// taken between batches (engine/exe_hashes.h), event and alert lines carry
// the hash once known, and rules test it (by value, or by the hashes of
// files taken at load). This test's own binary is the executable hashed.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>

#include "engine/exe_hashes.h"
#include "engine/pipeline.h"
#include "rules/rules_file.h"
#include "synthetic/record_builders.h"
#include "test/support/rules_error.h"

using namespace guard;

namespace {

struct SelfExe {
	std::string path;
	ExeIdentity id;
	std::string hex;

	SelfExe()
	{
		char buf[4096];
		ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf));
		REQUIRE(n > 0);
		path.assign(buf, size_t(n));
		struct stat st;
		REQUIRE(::stat(path.c_str(), &st) == 0);
		id = {uint64_t(st.st_dev), uint64_t(st.st_ino),
		      uint64_t(st.st_ctim.tv_sec) * 1000000000u + uint64_t(st.st_ctim.tv_nsec)};
		int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
		REQUIRE(fd >= 0);
		Sha256::Digest d;
		REQUIRE(sha256_fd(fd, d));
		::close(fd);
		hex = sha256_hex(d);
	}

	ExeHashRequest request(uint32_t pid, bool with_path) const
	{
		ExeHashRequest r;
		r.id = id;
		r.pid = pid;
		if (with_path) {
			r.path_len = static_cast<uint16_t>(path.size());
			std::memcpy(r.path, path.data(), path.size());
		}
		return r;
	}
};

std::string hex_of(const ExeHashResult &r) { return std::string(r.hex, sizeof(r.hex)); }

// Exchanges until the hasher has answered n requests in all (bounded).
void wait_results(ExeHashes &cache, uint64_t n)
{
	for (int i = 0; i < 2000 && cache.stats().hashed + cache.stats().unknown < n; i++) {
		cache.exchange();
		::usleep(2000);
	}
	REQUIRE(cache.stats().hashed + cache.stats().unknown == n);
}

} // namespace

TEST_CASE("hash_executable: the process's file, or the path, only while the identity holds")
{
	SelfExe self;
	ExeHashResult r = hash_executable(self.request(uint32_t(::getpid()), false));
	CHECK(r.ok);
	CHECK(hex_of(r) == self.hex);
	// No process (pid 0 is none): the path, its dev compared too.
	r = hash_executable(self.request(0, true));
	CHECK(r.ok);
	CHECK(hex_of(r) == self.hex);
	ExeHashRequest changed = self.request(uint32_t(::getpid()), true);
	changed.id.ctime_ns += 1; // the file was written since that exec
	CHECK(!hash_executable(changed).ok);
	ExeHashRequest elsewhere = self.request(0, true);
	elsewhere.id.dev += 1;
	CHECK(!hash_executable(elsewhere).ok);
	CHECK(!hash_executable(self.request(0, false)).ok);
}

TEST_CASE("ExeHashes: a miss is queued once and answered after an exchange; without hashing nothing is known")
{
	SelfExe self;
	ExeHashes cache(true);
	CHECK(cache.lookup(self.id, uint32_t(::getpid()), self.path).empty());
	CHECK(cache.lookup(self.id, uint32_t(::getpid()), self.path).empty()); // pending: not queued again
	CHECK(cache.stats().requested == 1);
	wait_results(cache, 1);
	CHECK(cache.lookup(self.id, 0, {}) == self.hex);
	CHECK(cache.lookup({}, 0, {}).empty()); // an identity without ctime is never looked up

	ExeHashes replay(false);
	CHECK(replay.lookup(self.id, uint32_t(::getpid()), self.path).empty());
	CHECK(replay.stats().requested == 0);
}

TEST_CASE("exe_sha256 on the exec line once known, on alerts after exe; a rule by the hashes of files")
{
	SelfExe self;
	int fd = ::memfd_create("out", MFD_CLOEXEC);
	REQUIRE(fd >= 0);
	BatchWriter out(fd, 1 << 20);
	Pipeline p(out, 0, {false, 1024, nullptr, true});
	p.set_rules(rules::compile_rules_text(R"({"rules": [{"id": "BY_HASH", "severity": "high",
 "events": ["net_connect"], "match": {"field": "exe_sha256", "in": {"sha256_of": ["/nonexistent/x", ")" +
						      self.path + R"("]}}}]})",
					      "r.json")
			    .set);
	synthetic::Task t{uint32_t(::getpid()), 1, "renamed", 1000};
	uint32_t kernel_dev = uint32_t(major(self.id.dev) << 20 | minor(self.id.dev));
	auto exec = synthetic::with_exe_identity(synthetic::exec_record(t, self.path), kernel_dev, self.id.ino, self.id.ctime_ns);
	auto connect = synthetic::net_record(t, GUARD_RECORD_NET_CONNECT, AF_INET, synthetic::ipv4(198, 51, 100, 7), 443);
	p.on_record(exec);
	wait_results(p.exe_hashes(), 1);
	p.on_record(exec);
	p.on_record(connect);
	out.flush();
	std::string text(size_t(::lseek(fd, 0, SEEK_END)), '\0');
	REQUIRE(::pread(fd, text.data(), text.size(), 0) == ssize_t(text.size()));
	::close(fd);
	std::string sha = "\"exe_sha256\":\"" + self.hex + "\"";
	size_t first_end = text.find('\n');
	CHECK(text.substr(0, first_end).find("exe_sha256") == std::string::npos); // not known yet
	size_t second_end = text.find('\n', first_end + 1);
	CHECK(text.substr(first_end, second_end - first_end).find(sha) != std::string::npos);
	CHECK(text.find("\"rule\":\"BY_HASH\"") != std::string::npos);
	CHECK(text.find("\"exe\":\"" + self.path + "\"," + sha) != std::string::npos);
}

TEST_CASE("exe_sha256 rules: values are 64 lowercase hex digits; sha256_of only on exe_sha256 with in")
{
	auto rule = [](const std::string &field, const std::string &op, const std::string &value) {
		return R"({"rules": [{"id": "R", "severity": "low", "events": ["exec"], "match": {"field": ")" + field +
		       R"(", ")" + op + R"(": )" + value + "}}]}";
	};
	CHECK(test::rules_error(rule("exe_sha256", "equals", "\"" + std::string(64, 'a') + "\"")).empty());
	CHECK(test::rules_error(rule("exe_sha256", "equals", "\"" + std::string(64, 'A') + "\"")).find("64 lowercase hex") !=
	      std::string::npos);
	CHECK(test::rules_error(rule("exe_sha256", "in", "[\"abc\"]")).find("64 lowercase hex") != std::string::npos);
	CHECK(test::rules_error(rule("exe", "in", R"({"sha256_of": ["/bin/sh"]})")).find("sha256_of") != std::string::npos);
	CHECK(test::rules_error(rule("exe_sha256", "in", R"({"sha256_of": ["bin/sh"]})")).find("absolute path") !=
	      std::string::npos);
	// No file of the list on this host: a rule that matches nothing, loaded.
	CHECK(test::rules_error(rule("exe_sha256", "in", R"({"sha256_of": ["/nonexistent/a", "/nonexistent/b"]})")).empty());
}
