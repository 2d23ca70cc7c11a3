// SPDX-License-Identifier: GPL-2.0-or-later
// The output is a file root can trust to be its own: a link planted at its
// path is refused, not followed; a FIFO is refused at once, not waited on; a
// file with another name (a hard link) or another owner is refused; its mode
// is forced to 0600; a deleted directory comes back at the next reopen.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "base/error.h"
#include "engine/batch_writer.h"
#include "engine/output_file.h"
#include "test/support/temp_dir.h"

using namespace guard;

namespace {

std::string refusal(const std::string &path)
{
	try {
		OutputFile out({path, 0, 0});
	} catch (const Error &e) {
		return e.what();
	}
	return "";
}

} // namespace

TEST_CASE("an output path that is a symbolic link is refused, and its target left alone")
{
	test::TempDir dir;
	std::string target = dir.write("target", "precious\n");
	std::string link = dir.path + "/events.jsonl";
	REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
	CHECK(refusal(link) == "output " + link + ": a symbolic link: refused (guard writes only to a regular file)");
	CHECK(test::read_text(target) == "precious\n");
	// A dangling link too: O_CREAT would otherwise make its target.
	std::string dangling = dir.path + "/dangling";
	REQUIRE(::symlink((dir.path + "/made-by-guard").c_str(), dangling.c_str()) == 0);
	CHECK(refusal(dangling).find("a symbolic link: refused") != std::string::npos);
	CHECK_FALSE(std::filesystem::exists(dir.path + "/made-by-guard"));
}

TEST_CASE("an output path that is a FIFO is refused at once, with or without a reader")
{
	test::TempDir dir;
	std::string fifo = dir.path + "/events.jsonl";
	REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
	auto start = std::chrono::steady_clock::now();
	CHECK(refusal(fifo) == "output " + fifo + ": a FIFO: refused (guard writes only to a regular file)");
	int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	REQUIRE(reader >= 0);
	CHECK(refusal(fifo) == "output " + fifo + ": a FIFO: guard writes only to a regular file: refused");
	::close(reader);
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5)); // not a hang
}

TEST_CASE("/dev/null is taken as it is (benchmarks write there): no mode changed, nothing refused")
{
	struct stat before {}, after {};
	REQUIRE(::stat("/dev/null", &before) == 0);
	{
		OutputFile out({"/dev/null", 0, 0});
		BatchWriter w(out.fd(), 4096);
		char *p = w.reserve(5);
		std::memcpy(p, "line\n", 5);
		w.commit(p + 5);
		CHECK(w.flush());
	}
	REQUIRE(::stat("/dev/null", &after) == 0);
	CHECK(after.st_mode == before.st_mode);
	CHECK(refusal("/dev/zero").find("a character device: guard writes only to a regular file: refused") != std::string::npos);
}

TEST_CASE("an existing output of mode 0666 becomes 0600; one with a second name is refused")
{
	test::TempDir dir;
	std::string file = dir.write("events.jsonl", "old line\n");
	REQUIRE(::chmod(file.c_str(), 0666) == 0);
	{
		OutputFile out({file, 0, 0});
		struct stat st {};
		REQUIRE(::fstat(out.fd(), &st) == 0);
		CHECK((st.st_mode & 07777) == 0600);
	}
	std::string other = dir.path + "/other-name";
	REQUIRE(::link(file.c_str(), other.c_str()) == 0);
	CHECK(refusal(file) == "output " + file + ": has 2 hard links: another name could be read or replaced: refused");
}

TEST_CASE("an output file owned by another user is refused")
{
	if (::geteuid() != 0) {
		MESSAGE("needs root to give a file away: not checked");
		return;
	}
	test::TempDir dir;
	std::string file = dir.write("events.jsonl", "");
	REQUIRE(::chown(file.c_str(), 65534, 65534) == 0);
	CHECK(refusal(file) == "output " + file + ": owned by uid 65534, not by guard's uid 0: refused");
}

TEST_CASE("a deleted output directory is made again (0700) at the next reopen; the deletion is noticed")
{
	test::TempDir dir;
	std::string logs = dir.path + "/logs/guard";
	std::string file = logs + "/events.jsonl";
	OutputFile out({file, 0, 0});
	CHECK(std::filesystem::is_directory(logs));
	BatchWriter w(out.fd(), 4096);
	CHECK_FALSE(out.newly_deleted());
	std::filesystem::remove_all(dir.path + "/logs");
	CHECK(out.newly_deleted());
	CHECK_FALSE(out.newly_deleted()); // said once
	REQUIRE(out.reopen(w));
	struct stat st {};
	REQUIRE(::stat(logs.c_str(), &st) == 0);
	CHECK((st.st_mode & 07777) == 0700);
	CHECK(std::filesystem::exists(file));
	CHECK_FALSE(out.newly_deleted());
}
