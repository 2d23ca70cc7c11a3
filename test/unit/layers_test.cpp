// SPDX-License-Identifier: GPL-2.0-or-later
// The layers point one way (docs/architecture.md): data flows from the
// loader into the engine and on to rules and Sigma, and nothing downstream
// reaches back up. Checked on the sources' #include lines, so a new include
// that breaks it fails here, not in a review.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

// Each folder, and the folders its files may include from (its own too).
struct Layer {
	const char *folder;
	std::set<std::string> may_include;
};

const Layer kLayers[] = {
	{"abi", {"abi"}},
	{"base", {"base"}},
	{"loader", {"base", "loader"}},
	{"engine", {"abi", "base", "engine"}},
	{"rules", {"abi", "base", "engine", "rules"}},
	{"sigma", {"abi", "base", "engine", "rules", "sigma"}},
	// Made-up records and rules that the tests and the benchmarks share.
	{"synthetic", {"abi", "base", "engine", "synthetic"}},
};

// The folder of each `#include "folder/..."` in path, with its line.
std::vector<std::pair<int, std::string>> included_folders(const std::filesystem::path &path)
{
	std::vector<std::pair<int, std::string>> out;
	std::ifstream in(path);
	std::string line;
	for (int n = 1; std::getline(in, line); n++) {
		const std::string directive = "#include \"";
		if (line.rfind(directive, 0) != 0)
			continue;
		size_t slash = line.find('/', directive.size());
		size_t quote = line.find('"', directive.size());
		if (slash != std::string::npos && slash < quote)
			out.emplace_back(n, line.substr(directive.size(), slash - directive.size()));
	}
	return out;
}

// tools/ is built without the tests: what it includes must not live in test/
// (nor in cli/, the guard command's own code).
void check_includes_none_of(const char *tree, const std::set<std::string> &forbidden, size_t at_least)
{
	size_t files = 0;
	for (const auto &entry : std::filesystem::recursive_directory_iterator(std::string(GUARD_SOURCE_DIR) + "/" + tree)) {
		std::string ext = entry.path().extension().string();
		if (ext != ".h" && ext != ".cpp")
			continue;
		files++;
		for (const auto &[line, folder] : included_folders(entry.path())) {
			INFO(entry.path().string() << ":" << line << " includes from " << folder << "/");
			CHECK(forbidden.count(folder) == 0);
		}
	}
	CHECK(files >= at_least);
}

} // namespace

TEST_CASE("layers: abi, base, loader, engine, rules, sigma and synthetic include only the layers before them")
{
	size_t files = 0;
	for (const Layer &layer : kLayers) {
		for (const auto &entry : std::filesystem::directory_iterator(std::string(GUARD_SOURCE_DIR) + "/" + layer.folder)) {
			std::string ext = entry.path().extension();
			if (ext != ".h" && ext != ".cpp")
				continue;
			files++;
			for (const auto &[line, folder] : included_folders(entry.path())) {
				INFO(entry.path().string() << ":" << line << " includes from " << folder << "/");
				CHECK(layer.may_include.count(folder) == 1);
			}
		}
	}
	CHECK(files > 100);
}

TEST_CASE("layers: tools/ uses the library and synthetic/, not the guard command's code (cli/) nor the tests' (test/)")
{
	check_includes_none_of("tools", {"cli", "test"}, 5);
}
