// Canonical paths: what the rules compare against must be the file the call
// named, however the process spelled it.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "engine/path_normalize.h"

using namespace guard;

namespace {

std::string canon(std::string_view in)
{
	std::string out(in.size() + 1, '\0');
	return std::string(normalize_path(in, out.data()));
}

} // namespace

TEST_CASE("dot-dot, dot and repeated slashes are resolved as text")
{
	CHECK(canon("/tmp/../etc/shadow") == "/etc/shadow");
	CHECK(canon("/etc/ssh/../shadow") == "/etc/shadow");
	CHECK(canon("/etc/./shadow") == "/etc/shadow");
	CHECK(canon("//etc///shadow") == "/etc/shadow");
	CHECK(canon("/etc/shadow/") == "/etc/shadow");
	CHECK(canon("/a/b/c/../../d") == "/a/d");
	CHECK(canon("/../../etc/shadow") == "/etc/shadow"); // ".." at the root stays there
	CHECK(canon("/..") == "/");
	CHECK(canon("/.") == "/");
	CHECK(canon("/") == "/");
	CHECK(canon("/usr/../tmp/x") == "/tmp/x");
	CHECK(canon("/a/..b/.c/...") == "/a/..b/.c/..."); // names that only start with dots are names
}

TEST_CASE("a canonical path comes back as itself, not copied")
{
	std::string in = "/usr/bin/true";
	char out[32];
	std::string_view got = normalize_path(in, out);
	CHECK(got == in);
	CHECK(got.data() == in.data());
}

TEST_CASE("relative and empty paths are left alone")
{
	char out[16];
	CHECK(normalize_path("../x", out) == "../x");
	CHECK(normalize_path("", out).empty());
}

TEST_CASE("a record's paths become canonical and keep what was given")
{
	Record rec;
	rec.header.kind = GUARD_RECORD_FILE_RENAME;
	rec.path = "/tmp/../etc/cron.d/x";
	rec.path2 = "/etc/cron.d/y";
	auto scratch = std::make_unique<PathScratch>();
	normalize_record_paths(rec, *scratch);
	CHECK(rec.path == "/etc/cron.d/x");
	CHECK(rec.path_given == "/tmp/../etc/cron.d/x");
	CHECK(rec.path2 == "/etc/cron.d/y");
	CHECK(rec.path2_given.empty());

	Record link;
	link.header.kind = GUARD_RECORD_FILE_SYMLINK;
	link.path = "/tmp/l";
	link.path2 = "../etc/shadow"; // a symlink's target is text, not resolved
	normalize_record_paths(link, *scratch);
	CHECK(link.path2 == "../etc/shadow");
}
