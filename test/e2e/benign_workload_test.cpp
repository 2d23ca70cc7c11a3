// SPDX-License-Identifier: GPL-2.0-or-later
// The false-alert budget (issue 19, item 4): ordinary work under the built-in
// rules raises no alert of severity medium or above. One agent watches a
// login shell (bash --login) run a small build (two of guard's translation
// units with g++ and its BPF object with clang, through make), build a
// package with dpkg-deb and install and purge it (its postinst and postrm
// run), work like a user (cd, ls, vim -es, git status, ps, grep, tar of a
// project directory into the home directory), and make a python3 venv and
// ask its pip for its version. A tool a minimal Debian root lacks (vim, git,
// ps, clang, python3's venv) is skipped by the script. The home directory is
// under /home, as a user's is: a venv under /tmp would run its pip from a
// temporary directory, which the rules rightly flag.
//
// Only the workload's alerts count: its processes are found from the fork
// events under the login shell, so other activity on the machine does not.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "test/support/e2e_support.h"

using namespace guard;

namespace {

const char *workload_script = R"(set -u
SRC=$1
HOME=$2
export HOME
cd "$HOME"

# A build: make running g++ on two translation units and clang on the BPF object.
mkdir -p build
cat > build/Makefile <<'EOF_MAKE'
OBJS := glob.o error.o $(if $(shell command -v clang),guard.bpf.o)
all: $(OBJS)
glob.o: $(SRC)/engine/glob.cpp
	g++ -std=c++20 -O0 -I$(SRC) -c $< -o $@
error.o: $(SRC)/base/error.cpp
	g++ -std=c++20 -O0 -I$(SRC) -c $< -o $@
guard.bpf.o: $(SRC)/kern/guard.bpf.c
	clang -target bpf -mcpu=v3 -O2 -g -I/usr/include/$(shell gcc -dumpmachine) -c $< -o $@
EOF_MAKE
make -s -j2 -C build SRC="$SRC" || echo "workload: build failed" >&2

# A package with maintainer scripts, installed and purged.
mkdir -p pkg/DEBIAN pkg/usr/share/guard-benign-test
echo hello > pkg/usr/share/guard-benign-test/readme
printf 'Package: guard-benign-test\nVersion: 1.0\nArchitecture: all\nMaintainer: guard tests <root@localhost>\nDescription: guard benign workload test\n' > pkg/DEBIAN/control
printf '#!/bin/sh\nset -e\nmkdir -p /var/lib/guard-benign-test\necho installed > /var/lib/guard-benign-test/state\n' > pkg/DEBIAN/postinst
printf '#!/bin/sh\nset -e\nif [ "$1" = purge ]; then rm -rf /var/lib/guard-benign-test; fi\n' > pkg/DEBIAN/postrm
chmod 755 pkg/DEBIAN/postinst pkg/DEBIAN/postrm
dpkg-deb --root-owner-group --build pkg guard-benign-test.deb >/dev/null
dpkg -i guard-benign-test.deb >/dev/null || echo "workload: dpkg -i failed" >&2
dpkg -P guard-benign-test >/dev/null || echo "workload: dpkg -P failed" >&2

# A user's session.
cd "$SRC"
ls >/dev/null
ls -la docs >/dev/null
if command -v vim >/dev/null; then vim -es -c q README.md </dev/null; fi
if command -v git >/dev/null; then git status --short >/dev/null 2>&1; fi
if command -v ps >/dev/null; then ps >/dev/null; fi
grep -rn "rule" docs | head -n 3 >/dev/null
tar czf "$HOME/project.tgz" docs rules
cd "$HOME"

# A python venv and its pip.
if python3 -m venv "$HOME/venv" >/dev/null 2>&1; then "$HOME/venv/bin/pip" --version >/dev/null; fi
exit 0
)";

// The number after "key": in an output line, or -1.
long long number_after(const std::string &line, const std::string &key)
{
	size_t at = line.find("\"" + key + "\":");
	if (at == std::string::npos)
		return -1;
	return std::atoll(line.c_str() + at + key.size() + 3);
}

std::string string_after(const std::string &line, const std::string &key)
{
	size_t at = line.find("\"" + key + "\":\"");
	if (at == std::string::npos)
		return "";
	at += key.size() + 4;
	return line.substr(at, line.find('"', at) - at);
}

} // namespace

TEST_CASE("the false-alert budget: a build, a package install and purge, a login session, a venv raise no medium alert")
{
	REQUIRE(test::running_as_root());
	std::filesystem::create_directories("/home");
	std::string home_template = "/home/guard-benign-XXXXXX";
	REQUIRE(::mkdtemp(home_template.data()));
	const std::string home = home_template, script = home + "/session.sh";
	std::ofstream(script) << workload_script;

	test::GuardProcess guard; // the built-in rules
	REQUIRE(!guard.wait_attached().empty());
	pid_t shell = test::run_and_wait("/bin/bash", {"--login", script, GUARD_SOURCE_DIR, home});
	// Its exit is the last record of the workload.
	CHECK(guard.find_line([&](const std::string &l) {
		return l.find("\"type\":\"exit\"") != std::string::npos && number_after(l, "pid") == shell;
	}));
	std::string output = guard.output_text();
	test::run_and_wait("/usr/bin/dpkg", {"-P", "guard-benign-test"}); // in case the script stopped early
	std::filesystem::remove_all(home);

	// The workload's processes: the shell and, by fork events in order, its descendants.
	std::set<long long> workload = {shell};
	std::istringstream lines(output);
	for (std::string l; std::getline(lines, l);)
		if (l.starts_with("{\"type\":\"fork\"") && workload.contains(number_after(l, "pid")))
			workload.insert(number_after(l, "child_pid"));
	std::map<std::string, int> by_rule;
	int medium_or_above = 0, low_or_info = 0;
	std::istringstream alerts(output);
	for (std::string l; std::getline(alerts, l);) {
		if (!l.starts_with("{\"type\":\"alert\"") || !workload.contains(number_after(l, "pid")))
			continue;
		std::string severity = string_after(l, "severity");
		bool minor = severity == "low" || severity == "info";
		(minor ? low_or_info : medium_or_above)++;
		by_rule[string_after(l, "rule") + " [" + severity + "]"]++;
		if (!minor)
			MESSAGE("false alert: " << l.substr(0, 600));
	}
	std::string counts;
	for (const auto &[rule, n] : by_rule)
		counts += " " + rule + " " + std::to_string(n);
	MESSAGE("benign workload: " << workload.size() << " processes, " << medium_or_above
				    << " alerts medium or above, " << low_or_info << " low or info;" << counts);
	CHECK(workload.size() > 20);
	CHECK(medium_or_above == 0);
}
