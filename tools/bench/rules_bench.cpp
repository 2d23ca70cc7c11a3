// Rules compile benchmark (not a test): how long reading, validating and
// compiling a rules file of N rules takes, for growing N, so that the shape
// shows (linear: each doubling doubles the time). The rules are generated:
// a mix of exec prefixes, opens of exact paths, globs over any_path,
// connects to ports and comm lists, each rule with tests of its own (the
// worst case for sharing gates) and, every 16th, one shared with others.
//
//   rules_bench [--max N] [--write FILE]
//
// --write saves the largest file (for `guard rules check` or a reload).
// Prints one line per size: "N rules: S s (T us/rule)".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "rules/rules_file.h"

namespace {

std::string rule(size_t i)
{
	std::string id = "\"id\": \"R" + std::to_string(i) + "\", \"severity\": \"medium\"";
	std::string n = std::to_string(i);
	switch (i % 5) {
	case 0:
		return "{" + id + ", \"events\": [\"exec\"], \"match\": {\"field\": \"path\", \"prefix\": \"/opt/app" + n + "/\"}}";
	case 1:
		return "{" + id + ", \"events\": [\"file_open\"], \"match\": {\"all\": [{\"field\": \"path\", \"equals\": \"/srv/data/" +
		       n + ".db\"}, {\"field\": \"access\", \"in\": [\"write\", \"read_write\"]}]}}";
	case 2:
		return "{" + id + ", \"events\": [\"file_*\"], \"match\": {\"field\": \"any_path\", \"glob\": \"/home/*/." + n +
		       "/*.conf\"}}";
	case 3:
		return "{" + id + ", \"events\": [\"net_connect\"], \"match\": {\"all\": [{\"field\": \"port\", \"equals\": " +
		       std::to_string(i % 65536) + "}, {\"field\": \"comm\", \"in\": [\"sh\", \"bash\", \"c" + std::to_string(i % 1000) + "\"]}]}}";
	default:
		// Every 16th such rule starts with the same test as the others.
		if (i % 80 == 4)
			return "{" + id + ", \"events\": [\"file_open\"], \"match\": {\"all\": [{\"field\": \"modify\", \"equals\": true}, "
							"{\"field\": \"path\", \"suffix\": \"/" + n + ".conf\"}]}}";
		return "{" + id + ", \"events\": [\"exec\"], \"match\": {\"field\": \"argv\", \"contains\": \"--token=" + n + "\"}}";
	}
}

std::string rules_file(size_t n)
{
	std::string text = "{\"rules\": [\n";
	for (size_t i = 0; i < n; i++)
		text += (i ? ",\n" : "") + rule(i);
	return text + "\n]}\n";
}

} // namespace

int main(int argc, char **argv)
{
	size_t max = 100000;
	const char *write_to = nullptr;
	for (int i = 1; i < argc; i++) {
		if (!std::strcmp(argv[i], "--max") && i + 1 < argc)
			max = std::strtoull(argv[++i], nullptr, 10);
		else if (!std::strcmp(argv[i], "--write") && i + 1 < argc)
			write_to = argv[++i];
		else {
			std::fprintf(stderr, "usage: rules_bench [--max N] [--write FILE]\n");
			return 2;
		}
	}
	for (size_t n = max / 16; n <= max; n *= 2) {
		std::string text = rules_file(n);
		auto start = std::chrono::steady_clock::now();
		auto loaded = guard::rules::compile_rules_text(text, "bench.json");
		double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		std::printf("%zu rules (%zu KiB): %.3f s (%.2f us/rule)\n", loaded.set->rules.size(), text.size() / 1024, s,
			    s * 1e6 / double(n));
		if (n == max && write_to)
			std::ofstream(write_to) << text;
		if (n == max)
			break;
		if (n * 2 > max)
			n = max / 2;
	}
	return 0;
}
