/* SPDX-License-Identifier: GPL-2.0-or-later */
// A valid rules file of n generated rules, for the compile benchmark and the
// reload test: a mix of exec prefixes, opens of exact paths, globs over
// any_path, connects to ports from comm lists, argv contents, each rule
// with tests of its own (the worst case for sharing gates) and, every 80th,
// one that starts with the same test as the others.
#pragma once

#include <cstddef>
#include <string>

namespace guard::synthetic {

inline std::string many_rules_rule(size_t i)
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
		if (i % 80 == 4)
			return "{" + id + ", \"events\": [\"file_open\"], \"match\": {\"all\": [{\"field\": \"modify\", \"equals\": true}, "
					  "{\"field\": \"path\", \"suffix\": \"/" + n + ".conf\"}]}}";
		return "{" + id + ", \"events\": [\"exec\"], \"match\": {\"field\": \"argv\", \"contains\": \"--token=" + n + "\"}}";
	}
}

inline std::string many_rules(size_t n)
{
	std::string text = "{\"rules\": [\n";
	for (size_t i = 0; i < n; i++)
		text += (i ? ",\n" : "") + many_rules_rule(i);
	return text + "\n]}\n";
}

} // namespace guard::synthetic
