// SPDX-License-Identifier: GPL-2.0-or-later
// File events end to end: each syscall made for real by test/helpers/file_ops,
// each record found by type and pid and checked field by field, failures
// included.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "test/support/e2e_support.h"
#include "test/support/events.h"

using namespace guard;
using test::field_is;

namespace {

// A fresh directory under /tmp, removed with everything in it.
struct TempDir {
	std::string path;
	TempDir()
	{
		char tmpl[] = "/tmp/guard-file-XXXXXX";
		REQUIRE(::mkdtemp(tmpl));
		path = tmpl;
	}
	~TempDir() { std::filesystem::remove_all(path); }
	std::string operator/(const std::string &name) const { return path + "/" + name; }
};

void touch(const std::string &path) { std::ofstream(path) << "x"; }

std::string oct(int v) { return "0" + std::to_string(v / 64) + std::to_string(v / 8 % 8) + std::to_string(v % 8); }

} // namespace

TEST_CASE("open of a missing file is reported as an attempt with ENOENT")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	TempDir dir;
	std::string missing = dir / "missing";

	auto run = test::run_helper("file_ops", {"openat", "-", missing, "0", "0"});
	REQUIRE(run.out == "openat ret=-1 errno=2\n");
	auto ev = test::find_event(guard, "file_open", run.pid, field_is("path", missing));
	INFO("output: " << guard.output_text());
	REQUIRE(ev);
	CHECK(ev->flag("ok") == false);
	CHECK(ev->num("errno") == ENOENT);
	CHECK(ev->str("error") == "ENOENT");
	CHECK_FALSE(ev->has("fd"));
	CHECK(ev->str("access") == "read");
	CHECK(ev->flag("modify") == false);
	CHECK(ev->str("comm") == "file_ops");
	CHECK(ev->num("tid") == run.pid);
}

TEST_CASE("open, creat, openat and openat2: success with fd, flags, access and the modify flag")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	TempDir dir;
	touch(dir / "existing");
	const int create = O_WRONLY | O_CREAT | O_TRUNC;

	auto run = test::run_helper("file_ops", {"open", dir / "existing", "0", "0",                      //
						 "creat", dir / "created", "0640",                       //
						 "openat", "-", dir / "made", std::to_string(create), "0600", //
						 "openat2", dir.path, "existing", std::to_string(O_RDWR), "0"});
	REQUIRE(run.out == "open ret=3 errno=0\ncreat ret=4 errno=0\nopenat ret=5 errno=0\nopenat2 ret=7 errno=0\n");
	INFO("output: " << guard.output_text());

	auto open = test::find_event(guard, "file_open", run.pid, field_is("path", dir / "existing"));
	REQUIRE(open);
	CHECK(open->flag("ok"));
	CHECK(open->num("fd") == 3);
	CHECK(open->num("flags") == 0);
	CHECK(open->str("access") == "read");
	CHECK(open->flag("modify") == false);
	CHECK_FALSE(open->has("mode"));

	auto creat = test::find_event(guard, "file_open", run.pid, field_is("path", dir / "created"));
	REQUIRE(creat);
	CHECK(creat->num("fd") == 4);
	CHECK(creat->num("flags") == (O_CREAT | O_WRONLY | O_TRUNC));
	CHECK(creat->str("access") == "write");
	CHECK(creat->flag("modify"));
	CHECK(creat->num("mode") == 0640);

	auto openat = test::find_event(guard, "file_open", run.pid, field_is("path", dir / "made"));
	REQUIRE(openat);
	CHECK(openat->num("fd") == 5);
	CHECK(openat->flag("modify"));
	CHECK(openat->num("mode") == 0600);

	// openat2 relative to a dirfd: flags and mode come from struct open_how.
	auto openat2 = test::find_event(guard, "file_open", run.pid, [&](simdjson::dom::element doc) {
		int64_t fd = 0;
		return doc["fd"].get_int64().get(fd) == simdjson::SUCCESS && fd == 7;
	});
	REQUIRE(openat2);
	CHECK(openat2->str("access") == "read_write");
	CHECK(openat2->flag("modify"));
	CHECK(openat2->num("flags") == O_RDWR);
}

TEST_CASE("rename, unlink, chmod, chown, link and symlink, with their second paths and failures")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	TempDir dir;
	touch(dir / "a");

	auto run = test::run_helper("file_ops", {
		"rename", dir / "a", dir / "b",                      //
		"renameat2", "-", dir / "b", "-", dir / "c", "0",   //
		"chmod", dir / "c", oct(0700),                       //
		"fchmodat", "-", dir / "c", oct(0640),               //
		"chown", dir / "c", "1234", "-1",                    //
		"fchownat", "-", dir / "c", "-1", "4321", "0",       //
		"link", dir / "c", dir / "hard",                     //
		"linkat", "-", dir / "c", "-", dir / "hard2", "0",   //
		"symlink", "c", dir / "soft",                        //
		"symlinkat", "../elsewhere", "-", dir / "soft2",     //
		"unlink", dir / "hard",                              //
		"unlinkat", "-", dir / "hard2", "0",                 //
		"unlink", dir / "nothing",                           //
		"rename", dir / "nothing", dir / "x",                //
	});
	INFO("helper: " << run.out);
	INFO("output: " << guard.output_text());
	REQUIRE(WIFEXITED(run.status));

	auto rename = test::find_event(guard, "file_rename", run.pid, field_is("path", dir / "a"));
	REQUIRE(rename);
	CHECK(rename->flag("ok"));
	CHECK(rename->str("new_path") == dir / "b");
	auto renameat2 = test::find_event(guard, "file_rename", run.pid, field_is("path", dir / "b"));
	REQUIRE(renameat2);
	CHECK(renameat2->str("new_path") == dir / "c");

	auto chmod = test::find_event(guard, "file_chmod", run.pid, [](simdjson::dom::element doc) {
		return int64_t(doc["mode"]) == 0700;
	});
	REQUIRE(chmod);
	CHECK(chmod->str("path") == dir / "c");
	CHECK(chmod->flag("ok"));
	auto fchmodat = test::find_event(guard, "file_chmod", run.pid, [](simdjson::dom::element doc) {
		return int64_t(doc["mode"]) == 0640;
	});
	REQUIRE(fchmodat);

	auto chown = test::find_event(guard, "file_chown", run.pid, [](simdjson::dom::element doc) {
		return int64_t(doc["owner_uid"]) == 1234;
	});
	REQUIRE(chown);
	CHECK(chown->str("path") == dir / "c");
	CHECK(chown->num("owner_gid") == -1);
	auto fchownat = test::find_event(guard, "file_chown", run.pid, [](simdjson::dom::element doc) {
		return int64_t(doc["owner_gid"]) == 4321;
	});
	REQUIRE(fchownat);
	CHECK(fchownat->num("owner_uid") == -1);

	auto link = test::find_event(guard, "file_link", run.pid, field_is("new_path", dir / "hard"));
	REQUIRE(link);
	CHECK(link->str("path") == dir / "c");
	CHECK(link->flag("ok"));
	CHECK(test::find_event(guard, "file_link", run.pid, field_is("new_path", dir / "hard2")));

	// A symlink's path is the new link; its target is kept exactly as given.
	auto symlink = test::find_event(guard, "file_symlink", run.pid, field_is("path", dir / "soft"));
	REQUIRE(symlink);
	CHECK(symlink->str("target") == "c");
	auto symlinkat = test::find_event(guard, "file_symlink", run.pid, field_is("path", dir / "soft2"));
	REQUIRE(symlinkat);
	CHECK(symlinkat->str("target") == "../elsewhere");

	CHECK(test::find_event(guard, "file_unlink", run.pid, field_is("path", dir / "hard")));
	CHECK(test::find_event(guard, "file_unlink", run.pid, field_is("path", dir / "hard2")));
	auto failed_unlink = test::find_event(guard, "file_unlink", run.pid, field_is("path", dir / "nothing"));
	REQUIRE(failed_unlink);
	CHECK(failed_unlink->flag("ok") == false);
	CHECK(failed_unlink->str("error") == "ENOENT");
	auto failed_rename = test::find_event(guard, "file_rename", run.pid, field_is("path", dir / "nothing"));
	REQUIRE(failed_rename);
	CHECK(failed_rename->num("errno") == ENOENT);
	CHECK(failed_rename->str("new_path") == dir / "x");
}

TEST_CASE("cd /etc && cat shadow reports /etc/shadow: relative paths are made absolute in the kernel")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	pid_t cat = test::run_and_wait("/bin/sh", {"-c", "cd /etc && exec cat shadow >/dev/null"});
	INFO("output: " << guard.output_text());
	auto ev = test::find_event(guard, "file_open", cat, field_is("path", "/etc/shadow"));
	REQUIRE(ev);
	CHECK(ev->str("comm") == "cat");
	CHECK(ev->flag("ok"));
	CHECK_FALSE(ev->has("path_unresolved"));
}

// 20 directories of 250-byte names under dir, made and removed one level
// at a time: no path to the bottom fits PATH_MAX, so none can be used.
struct DeepTree {
	static constexpr int levels = 20;
	std::string name = std::string(250, 'd');
	std::vector<int> fds; // each level's directory, O_PATH

	explicit DeepTree(const std::string &dir)
	{
		fds.push_back(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
		for (int i = 0; i < levels; i++) {
			REQUIRE(::mkdirat(fds.back(), name.c_str(), 0700) == 0);
			fds.push_back(::openat(fds.back(), name.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
		}
		int fd = ::openat(fds.back(), "deep-file", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		REQUIRE(fd >= 0);
		::close(fd);
	}
	~DeepTree()
	{
		::unlinkat(fds.back(), "deep-file", 0);
		for (size_t i = fds.size() - 1; i > 0; i--) {
			::close(fds[i]);
			::unlinkat(fds[i - 1], name.c_str(), AT_REMOVEDIR);
		}
		::close(fds[0]);
	}
};

TEST_CASE("relative to a dirfd, across mounts, a bad dirfd, and a path longer than PATH_MAX")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());
	TempDir dir;
	touch(dir / "existing");
	DeepTree deep(dir.path);
	std::vector<std::string> into_deep{"chdir", dir.path};
	for (int i = 0; i < DeepTree::levels; i++)
		into_deep.insert(into_deep.end(), {"chdir", deep.name});

	std::vector<std::string> ops{"openat", dir.path, "existing", "0", "0",            // dirfd-relative
				     "chdir", "/dev/shm", "openat", "-", "guard-none", "0", "0", // tmpfs on devtmpfs
				     "openat", "fd:987", "nothing", "0", "0"};                   // no such fd
	ops.insert(ops.end(), into_deep.begin(), into_deep.end());
	ops.insert(ops.end(), {"openat", "-", "deep-file", "0", "0", "openat", "-", "deep-none", "0", "0"});
	auto run = test::run_helper("file_ops", ops);
	INFO("helper: " << run.out);
	INFO("output: " << guard.output_text());

	auto at = test::find_event(guard, "file_open", run.pid, field_is("path", dir / "existing"));
	REQUIRE(at);
	CHECK(at->flag("ok"));

	auto shm = test::find_event(guard, "file_open", run.pid, field_is("path", "/dev/shm/guard-none"));
	REQUIRE(shm);
	CHECK(shm->str("error") == "ENOENT");

	auto bad = test::find_event(guard, "file_open", run.pid, field_is("path", "nothing"));
	REQUIRE(bad);
	CHECK(bad->flag("path_unresolved"));
	CHECK(bad->str("error") == "EBADF");

	// Both the opened file's walk and the cwd's (for the failed open) stop
	// at 4096 bytes: the names nearest the file are kept, the head is not.
	for (const char *file : {"/deep-file", "/deep-none"}) {
		CAPTURE(file);
		auto deep_ev = test::find_event(guard, "file_open", run.pid, [&](simdjson::dom::element doc) {
			std::string_view p;
			return doc["path"].get_string().get(p) == simdjson::SUCCESS && p.ends_with(deep.name + file);
		});
		REQUIRE(deep_ev);
		CHECK(deep_ev->flag("path_truncated"));
		CHECK(deep_ev->str("path").size() < 4096);
		CHECK_FALSE(deep_ev->str("path").starts_with(dir.path)); // the leading part is missing
	}
}
