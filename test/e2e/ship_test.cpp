// SPDX-License-Identifier: GPL-2.0-or-later
// What ships: the static binary alone in an empty root, make install and
// uninstall (PREFIX, DESTDIR) with a unit systemd-analyze accepts, and the
// Debian package installed by dpkg into a scratch root.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <cerrno>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "test/support/command.h"
#include "test/support/e2e_support.h"

using namespace guard;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kSource = GUARD_SOURCE_DIR;

// An empty root: the static binary and a rules file, and directories where
// /proc, /sys and /dev are bound in a mount namespace of the child's own.
// Taken down file by file, never recursively: nothing bound can be removed.
struct EmptyRoot {
	std::string path;
	EmptyRoot()
	{
		char tmpl[] = "/tmp/guard-root-XXXXXX";
		REQUIRE(::mkdtemp(tmpl));
		path = tmpl;
		for (const char *d : {"proc", "sys", "dev"})
			fs::create_directory(path + "/" + d);
	}
	~EmptyRoot()
	{
		for (const char *f : {"guard", "rules.json", "events.jsonl"})
			::unlink((path + "/" + f).c_str());
		for (const char *d : {"proc", "sys", "dev", ""})
			::rmdir((path + "/" + d).c_str());
	}
};

// Runs argv in root as the only things there (chroot). With system: /proc,
// /sys (tracefs and BTF beneath) and /dev bound in, in a mount namespace of
// its own, by a holder process that forwards SIGINT and SIGTERM and, once
// the program has ended, unmounts them: nothing stays bound even where the
// namespace's mounts could not be made private (inside a chroot, "/" is no
// mount point).
pid_t holder_target = -1;
void forward(int sig) { ::kill(holder_target, sig); }

pid_t start_in_root(const std::string &root, const std::vector<std::string> &argv, int out, int err, bool system = true)
{
	std::vector<std::string> targets;
	for (const char *d : {"proc", "sys", "dev"})
		targets.push_back(root + "/" + d);
	std::vector<char *> args;
	for (const std::string &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	pid_t holder = ::fork();
	if (holder != 0)
		return holder;
	::dup2(out, STDOUT_FILENO);
	::dup2(err, STDERR_FILENO);
	if (::unshare(CLONE_NEWNS) != 0)
		_exit(125);
	::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr); // fails in a chroot: see above
	size_t bound = 0;
	for (; system && bound < targets.size(); bound++) {
		const char *source = bound == 0 ? "/proc" : bound == 1 ? "/sys" : "/dev";
		if (::mount(source, targets[bound].c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
			break;
	}
	int status = 125 << 8;
	if (!system || bound == targets.size()) {
		holder_target = ::fork();
		if (holder_target == 0) {
			if (::chroot(root.c_str()) != 0 || ::chdir("/") != 0)
				_exit(125);
			::execv(args[0], args.data());
			_exit(127);
		}
		::signal(SIGINT, forward);
		::signal(SIGTERM, forward);
		while (::waitpid(holder_target, &status, 0) < 0 && errno == EINTR)
			;
	}
	while (bound > 0)
		::umount2(targets[--bound].c_str(), MNT_DETACH);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

test::CommandResult run_in_root(const std::string &root, const std::vector<std::string> &argv, bool system = true)
{
	test::ScratchDir logs;
	int out = ::open((logs.path + "/out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	int err = ::open((logs.path + "/err").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	test::CommandResult r;
	::waitpid(start_in_root(root, argv, out, err, system), &r.status, 0);
	::close(out);
	::close(err);
	r.out = test::read_text(logs.path + "/out");
	r.err = test::read_text(logs.path + "/err");
	return r;
}

test::CommandResult make(std::vector<std::string> args)
{
	return test::run_command(test::make_command(args));
}

std::string file_text(const std::string &path) { return test::read_text(path); }

} // namespace

TEST_CASE("the static binary alone in an empty root: --version, rules check and a real exec")
{
	REQUIRE(test::running_as_root());
	const std::string binary = GUARD_STATIC_BINARY;
	if (binary.empty()) {
		MESSAGE("not run under SAN=1: there is no static binary (the sanitizers need the dynamic loader)");
		return;
	}
	auto interp = test::run_command({{"readelf", "--program-headers", binary}});
	CHECK(interp.out.find("INTERP") == std::string::npos); // no dynamic loader asked for
	CHECK(interp.out.find("DYNAMIC") == std::string::npos);
	// The size this binary is tracked at (docs/benchmarks.md, "Shipping").
	CHECK(fs::file_size(binary) <= 2 * 1024 * 1024 + 896 * 1024);

	EmptyRoot root;
	fs::copy_file(binary, root.path + "/guard");
	fs::copy_file(kSource + "/rules/default_rules.json", root.path + "/rules.json");

	auto version = run_in_root(root.path, {"/guard", "--version"});
	CHECK(version.exit_code() == 0);
	CHECK(version.out.rfind("guard ", 0) == 0);
	auto check = run_in_root(root.path, {"/guard", "rules", "check", "/rules.json"});
	INFO("rules check: " << check.out << check.err);
	CHECK(check.exit_code() == 0);
	CHECK(check.out.find("/rules.json: 33 rules") != std::string::npos);

	int err[2];
	REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
	pid_t agent = start_in_root(root.path, {"/guard", "--output", "/events.jsonl"}, STDOUT_FILENO, err[1]);
	::close(err[1]);
	// Stopped whatever happens below: a failed REQUIRE must not leave it running.
	struct Stop {
		pid_t pid;
		int status = -1;
		int now()
		{
			if (pid > 0) {
				::kill(pid, SIGINT);
				::waitpid(pid, &status, 0);
				pid = -1;
			}
			return status;
		}
		~Stop() { now(); }
	} stop{agent};
	std::string stderr_text;
	char buf[4096];
	ssize_t n;
	while (stderr_text.find("guard: attached ") == std::string::npos && (n = ::read(err[0], buf, sizeof(buf))) > 0)
		stderr_text.append(buf, static_cast<size_t>(n));
	INFO("stderr: " << stderr_text);
	REQUIRE(stderr_text.find("guard: attached ") != std::string::npos);
	pid_t child = test::run_and_wait("/bin/true");
	std::string exec_line;
	for (int i = 0; i < 100 && exec_line.empty(); i++) {
		std::this_thread::sleep_for(50ms);
		std::istringstream lines(file_text(root.path + "/events.jsonl"));
		for (std::string line; std::getline(lines, line);)
			if (line.find("\"type\":\"exec\"") != std::string::npos &&
			    line.find("\"pid\":" + std::to_string(child) + ",") != std::string::npos)
				exec_line = line;
	}
	int status = stop.now();
	::close(err[0]);
	// The file the kernel ran (symlinks resolved: /bin is one on merged-/usr systems).
	CHECK(exec_line.find("\"path\":\"" + fs::canonical("/bin/true").string() + "\"") != std::string::npos);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("make install and make uninstall honour PREFIX and DESTDIR; the unit passes systemd-analyze verify")
{
	test::ScratchDir dest;
	auto install = make({"install", "DESTDIR=" + dest.path, "PREFIX=/usr"});
	INFO("make install: " << install.out << install.err);
	REQUIRE(install.exit_code() == 0);
	const std::string unit = dest.path + "/usr/lib/systemd/system/guard.service";
	for (const char *f : {"/usr/sbin/guard", "/usr/share/man/man8/guard.8", "/usr/lib/systemd/system/guard.service",
			      "/etc/guard/rules.json", "/etc/logrotate.d/guard"})
		CHECK_MESSAGE(fs::exists(dest.path + f), f);
	CHECK((fs::status(dest.path + "/usr/sbin/guard").permissions() & fs::perms::others_exec) != fs::perms::none);
	CHECK(file_text(dest.path + "/etc/guard/rules.json") == file_text(kSource + "/rules/default_rules.json"));
	CHECK(file_text(unit).find("ExecStart=/usr/sbin/guard --rules /etc/guard/rules.json --output "
				   "/var/log/guard/events.jsonl\n") != std::string::npos);
	CHECK(test::run_command({{dest.path + "/usr/sbin/guard", "rules", "check", dest.path + "/etc/guard/rules.json"}})
		      .exit_code() == 0);

	// systemd reads the unit: every directive known, the programs it names
	// there and executable. Installed for that where it can run from (PREFIX
	// and SYSCONFDIR in a scratch directory). Its man page is not looked up
	// with man(1), which a minimal Debian lacks: cli_test checks guard(8).
	test::ScratchDir here;
	REQUIRE(make({"install", "PREFIX=" + here.path + "/usr", "SYSCONFDIR=" + here.path + "/etc"}).exit_code() == 0);
	auto verified = test::run_command(
		{{"systemd-analyze", "verify", "--man=no", here.path + "/usr/lib/systemd/system/guard.service"}});
	INFO("systemd-analyze verify: " << verified.out << verified.err);
	CHECK(verified.exit_code() == 0);
	CHECK(verified.err.empty());

	// A changed rules file is kept, by install and by uninstall.
	std::ofstream(dest.path + "/etc/guard/rules.json", std::ios::app) << "\n";
	auto again = make({"install", "DESTDIR=" + dest.path, "PREFIX=/usr"});
	CHECK(again.out.find("guard: kept " + dest.path + "/etc/guard/rules.json") != std::string::npos);
	auto uninstall = make({"uninstall", "DESTDIR=" + dest.path, "PREFIX=/usr"});
	INFO("make uninstall: " << uninstall.out << uninstall.err);
	CHECK(uninstall.exit_code() == 0);
	for (const char *f : {"/usr/sbin/guard", "/usr/share/man/man8/guard.8", "/usr/lib/systemd/system/guard.service",
			      "/etc/logrotate.d/guard"})
		CHECK_MESSAGE(!fs::exists(dest.path + f), f);
	CHECK(fs::exists(dest.path + "/etc/guard/rules.json"));

	// The default prefix, /usr/local: the unit names the binary there.
	test::ScratchDir local;
	REQUIRE(make({"install", "DESTDIR=" + local.path}).exit_code() == 0);
	CHECK(file_text(local.path + "/usr/local/lib/systemd/system/guard.service")
		      .find("ExecStart=/usr/local/sbin/guard --rules /etc/guard/rules.json") != std::string::npos);
	REQUIRE(make({"uninstall", "DESTDIR=" + local.path}).exit_code() == 0);
	CHECK(!fs::exists(local.path + "/etc/guard")); // the unchanged rules file and its directory went too
	CHECK(!fs::exists(local.path + "/usr/local/sbin/guard"));
}

TEST_CASE("make deb, dpkg -i into a scratch root: the files, the conffile, guard --version from there, purge")
{
	REQUIRE(test::running_as_root());
	std::vector<std::vector<std::string>> builds{{}};
	if (std::string(GUARD_STATIC_BINARY) != "")
		builds.push_back({"STATIC=1"});
	for (const std::vector<std::string> &vars : builds) {
		bool is_static = !vars.empty();
		CAPTURE(is_static);
		std::vector<std::string> args{"deb"};
		args.insert(args.end(), vars.begin(), vars.end());
		auto deb = make(args);
		INFO("make deb: " << deb.out << deb.err);
		REQUIRE(deb.exit_code() == 0);
		size_t at = deb.out.rfind("guard: built ");
		REQUIRE(at != std::string::npos);
		std::string package = kSource + "/" + deb.out.substr(at + 13, deb.out.find('\n', at) - at - 13);

		auto fields = test::run_command({{"dpkg-deb", "--field", package, "Package", "Version", "Depends"}});
		CHECK(fields.out.find("Package: guard\n") != std::string::npos);
		CHECK((fields.out.find("Depends: ") != std::string::npos) == !is_static);

		test::ScratchDir root;
		fs::create_directories(root.path + "/var/lib/dpkg/info");
		fs::create_directories(root.path + "/var/lib/dpkg/updates");
		std::ofstream(root.path + "/var/lib/dpkg/status").flush();
		// The scripts run here with DPKG_ROOT set: they leave this system's systemd alone.
		std::vector<std::string> dpkg{"dpkg", "--root=" + root.path, "--log=/dev/null", "--force-script-chrootless",
					      "--force-depends"};
		std::vector<std::string> install = dpkg;
		install.insert(install.end(), {"--install", package});
		auto installed = test::run_command({install});
		INFO("dpkg --install: " << installed.out << installed.err);
		REQUIRE(installed.exit_code() == 0);
		for (const char *f : {"/usr/sbin/guard", "/usr/share/man/man8/guard.8.gz", "/lib/systemd/system/guard.service",
				      "/etc/guard/rules.json", "/etc/logrotate.d/guard", "/usr/share/doc/guard/copyright"})
			CHECK_MESSAGE(fs::exists(root.path + f), f);
		auto status = test::run_command({{"dpkg", "--root=" + root.path, "--status", "guard"}});
		CHECK(status.out.find("Status: install ok installed") != std::string::npos);
		CHECK(status.out.find("Conffiles:\n /etc/guard/rules.json ") != std::string::npos);

		auto version = test::run_command({{root.path + "/usr/sbin/guard", "--version"}});
		CHECK(version.exit_code() == 0);
		CHECK(version.out.rfind("guard ", 0) == 0);
		if (is_static) { // nothing else in that root: no libc, no loader
			auto alone = run_in_root(root.path, {"/usr/sbin/guard", "--version"}, false);
			CHECK(alone.exit_code() == 0);
			CHECK(alone.out == version.out);
		}

		std::vector<std::string> purge = dpkg;
		purge.insert(purge.end(), {"--purge", "guard"});
		auto purged = test::run_command({purge});
		INFO("dpkg --purge: " << purged.out << purged.err);
		CHECK(purged.exit_code() == 0);
		CHECK(!fs::exists(root.path + "/usr/sbin/guard"));
		CHECK(!fs::exists(root.path + "/etc/guard/rules.json"));
	}
}
