// SPDX-License-Identifier: GPL-2.0-or-later
// Canonical paths: what the rules compare against must be the file the call
// named, however the process spelled it.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/path_normalize.h"

using namespace guard;

namespace {

std::string canon(std::string_view in)
{
	std::string out(in.size() + 1, '\0');
	return std::string(normalize_path(in, out.data()));
}

// The definition, written plainly: split on '/', drop "" and ".", let ".." pop.
std::string reference(const std::string &p)
{
	std::vector<std::string> parts;
	size_t i = 0;
	while (i <= p.size()) {
		size_t j = p.find('/', i);
		if (j == std::string::npos)
			j = p.size();
		std::string part = p.substr(i, j - i);
		if (part == "..") {
			if (!parts.empty())
				parts.pop_back();
		} else if (!part.empty() && part != ".") {
			parts.push_back(part);
		}
		i = j + 1;
	}
	std::string out;
	for (const std::string &part : parts)
		out += "/" + part;
	return out.empty() ? std::string("/") : out;
}

void check_against_reference(const std::string &p)
{
	std::string out(p.size() + 1, '\0');
	std::string_view got = normalize_path(p, out.data());
	std::string want = reference(p);
	CHECK(got == want);
	CHECK((got.data() == p.data()) == (want == p));
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
	rec.path_given = "/tmp/../etc/cron.d/x"; // the caller's spelling, as the kernel side keeps it
	rec.path2 = "/tmp/../etc/cron.d/y";
	auto scratch = std::make_unique<PathScratch>();
	normalize_record_paths(rec, *scratch);
	CHECK(rec.path == "/etc/cron.d/x");
	CHECK(rec.path_given == "/tmp/../etc/cron.d/x");
	CHECK(rec.path2 == "/etc/cron.d/y");
	CHECK(rec.path2_given == "/tmp/../etc/cron.d/y");

	// The spelling is kept only where it differs from the path.
	Record open;
	open.header.kind = GUARD_RECORD_FILE_OPEN;
	open.path = "/etc/passwd";
	open.path_given = "/etc/passwd";
	normalize_record_paths(open, *scratch);
	CHECK(open.path_given.empty());

	Record link;
	link.header.kind = GUARD_RECORD_FILE_SYMLINK;
	link.path = "/tmp/l";
	link.path2 = "../etc/shadow"; // a symlink's target is text, not resolved
	normalize_record_paths(link, *scratch);
	CHECK(link.path2 == "../etc/shadow");
}

TEST_CASE("every short path over '/', '.' and 'a': the canonical form, copied only when it differs")
{
	const char alphabet[] = {'/', '.', 'a'};
	for (size_t len = 1; len <= 9; len++) {
		size_t combos = 1; // of the len - 1 characters after the first '/'
		for (size_t i = 1; i < len; i++)
			combos *= 3;
		for (size_t c = 0; c < combos; c++) {
			std::string p(1, '/');
			for (size_t i = 1, x = c; i < len; i++, x /= 3)
				p += alphabet[x % 3];
			check_against_reference(p);
		}
	}
}

TEST_CASE("long paths (the vectorized scan): the canonical form, copied only when it differs")
{
	uint32_t seed = 99;
	auto next = [&] { return seed = seed * 1103515245 + 12345; };
	for (int round = 0; round < 20000; round++) {
		std::string p(1, '/');
		size_t len = 16 + next() % 64;
		int odd = static_cast<int>(next() % 3); // 0: names only, so most are canonical
		while (p.size() < len) {
			unsigned r = (next() >> 8) % 40;
			p += r == 0 ? '/' : (odd && r == 1) ? '.' : (odd == 2 && r == 2) ? '/' : static_cast<char>('a' + r % 26);
			if (r % 7 == 3)
				p += '/';
		}
		check_against_reference(p);
	}
}
