// SPDX-License-Identifier: GPL-2.0-or-later
// Every source file says its licence in its first lines (SPDX): the BPF
// programs GPL-2.0-only (kern/ and the test fixtures, which the kernel takes
// as "GPL"), everything else GPL-2.0-or-later (LICENSE says why).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

std::string first_lines(const fs::path &path)
{
	std::ifstream in(path);
	std::string text, line;
	for (int i = 0; i < 3 && std::getline(in, line); i++)
		text += line + "\n";
	return text;
}

bool is_source(const fs::path &p)
{
	static const std::set<std::string> kinds{".c", ".h", ".cpp", ".S", ".sh", ".in", ".logrotate"};
	return kinds.count(p.extension().string()) || p.filename() == "Makefile" || p.filename() == "run" ||
	       p.parent_path().filename() == "deb";
}

} // namespace

TEST_CASE("every source file carries its SPDX licence line")
{
	const fs::path root = GUARD_SOURCE_DIR;
	std::vector<fs::path> files{root / "Makefile", root / ".ci" / "run"};
	for (const char *dir : {"abi", "cli", "engine", "kern", "loader", "rules", "test", "tools"})
		for (const auto &entry : fs::recursive_directory_iterator(root / dir))
			if (entry.is_regular_file() && is_source(entry.path()))
				files.push_back(entry.path());
	CHECK(files.size() > 100);
	for (const fs::path &f : files) {
		std::string rel = fs::relative(f, root).string();
		bool bpf = rel.starts_with("kern/") || rel.ends_with(".bpf.c");
		std::string expected = "SPDX-License-Identifier: "s + (bpf ? "GPL-2.0-only" : "GPL-2.0-or-later");
		std::string head = first_lines(f);
		if (rel.ends_with("/copyright") || rel.ends_with("control.in") || rel.ends_with("copyright-static"))
			continue; // package data in Debian's own formats
		CHECK_MESSAGE(head.find(expected) != std::string::npos, rel << ": expected " << expected);
	}
}
