// SPDX-License-Identifier: GPL-2.0-or-later
// The engine in the real agent on the real kernel: the seed's rules.json
// (its rules and its output section), bad rules files, SIGHUP reload, health
// at exit, guard record then guard replay.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <simdjson.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "test/support/seed_rules.h"
#include "test/support/e2e_support.h"

using namespace guard;
using test::kSeedRules;
using namespace std::chrono_literals;

namespace {

struct TempDir {
	std::string path;
	TempDir()
	{
		char tmpl[] = "/tmp/guard-engine-e2e-XXXXXX";
		REQUIRE(::mkdtemp(tmpl));
		path = tmpl;
	}
	~TempDir() { std::filesystem::remove_all(path); }
	std::string write(const std::string &name, const std::string &text) const
	{
		std::string p = path + "/" + name;
		std::ofstream(p) << text;
		return p;
	}
};

std::string read_text(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

// Runs guard with args in dir, stderr to a file; returns the exit status.
int run_guard(const std::vector<std::string> &args, const std::string &dir, std::string &err, pid_t *running = nullptr)
{
	std::string err_path = dir + "/stderr.txt";
	pid_t pid = ::fork();
	if (pid == 0) {
		if (::chdir(dir.c_str()) != 0)
			_exit(126);
		int fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		::dup2(fd, STDERR_FILENO);
		std::vector<std::string> a{GUARD_BINARY};
		a.insert(a.end(), args.begin(), args.end());
		test::exec_or_die(a);
	}
	if (running) {
		*running = pid;
		return 0;
	}
	int status = 0;
	::waitpid(pid, &status, 0);
	err = read_text(err_path);
	return status;
}

// An executable copy of /bin/true under dir (which lives in /tmp).
std::string true_in(const std::string &dir)
{
	std::string p = dir + "/true-from-tmp";
	std::filesystem::copy_file("/bin/true", p, std::filesystem::copy_options::overwrite_existing);
	::chmod(p.c_str(), 0755);
	return p;
}

bool has(const std::string &line, std::string_view needle) { return line.find(needle) != std::string::npos; }

} // namespace

TEST_CASE("the seed's rules.json: EXEC_FROM_TMP on a real exec, with an alert carrying the ancestry")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	std::string rules = dir.write("rules.json", kSeedRules);
	test::GuardProcess guard({"--rules", rules});
	REQUIRE(!guard.wait_attached().empty());
	std::string exe = true_in(dir.path);
	pid_t child = test::run_and_wait(exe);
	std::string pid_field = "\"pid\":" + std::to_string(child) + ",";
	auto alert = guard.find_line([&](const std::string &l) { return has(l, "\"type\":\"alert\"") && has(l, pid_field); });
	INFO("output: " << guard.output_text() << "\nstderr: " << guard.stderr_text());
	REQUIRE(alert);
	auto event = guard.find_line([&](const std::string &l) { return has(l, "\"type\":\"exec\"") && has(l, pid_field); });
	REQUIRE(event);
	CHECK(has(*event, "\"rule\":\"EXEC_FROM_TMP\",\"severity\":\"medium\""));

	simdjson::dom::parser parser;
	simdjson::dom::element a;
	REQUIRE(parser.parse(*alert).get(a) == simdjson::SUCCESS);
	CHECK(std::string_view(a["rule"]) == "EXEC_FROM_TMP");
	CHECK(std::string_view(a["severity"]) == "medium");
	CHECK(std::string_view(a["event"]) == "exec");
	CHECK(std::string_view(a["path"]) == exe);
	// The parent and the ancestry need the kernel side to report ppid (the
	// telemetry work); the process table then knows this test from /proc.
	if (uint64_t(a["ppid"]) != 0) {
		CHECK(uint64_t(a["ppid"]) == uint64_t(::getpid()));
		CHECK(has(*event, "\"parent_comm\":\"e2e_tests\""));
		simdjson::dom::array ancestry = a["ancestry"];
		REQUIRE(ancestry.size() >= 1);
		CHECK(uint64_t(ancestry.at(0)["pid"]) == uint64_t(::getpid()));
		CHECK(std::string_view(ancestry.at(0)["comm"]) == "e2e_tests");
	} else {
		MESSAGE("this kernel side reports no ppid yet: parent and ancestry not checked");
	}

	// Not from /tmp: no rule.
	pid_t plain = test::run_and_wait("/bin/true");
	std::string plain_field = "\"pid\":" + std::to_string(plain) + ",";
	auto line = guard.find_line([&](const std::string &l) { return has(l, plain_field); });
	REQUIRE(line);
	CHECK_FALSE(has(*line, "\"rule\""));
	CHECK(guard.stop(SIGTERM) == 0);

	// At exit: a final health record with what was seen.
	std::string text = guard.output_text();
	std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
	simdjson::dom::element h;
	REQUIRE(parser.parse(last).get(h) == simdjson::SUCCESS);
	CHECK(std::string_view(h["type"]) == "health");
	CHECK(bool(h["final"]));
	CHECK(uint64_t(h["events"]["exec"]) >= 2);
	CHECK(uint64_t(h["alerts"]["EXEC_FROM_TMP"]) >= 1);
	CHECK(uint64_t(h["process_table"]["size"]) > 10);
}

TEST_CASE("the seed's output section is honoured: ./log/events.jsonl, mode 0600")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	dir.write("rules.json", kSeedRules);
	pid_t guard_pid = -1;
	std::string err;
	run_guard({"--rules", "rules.json"}, dir.path, err, &guard_pid);
	std::string log = dir.path + "/log/events.jsonl";
	auto deadline = std::chrono::steady_clock::now() + 10s;
	while (read_text(dir.path + "/stderr.txt").find("guard: attached ") == std::string::npos &&
	       std::chrono::steady_clock::now() < deadline)
		std::this_thread::sleep_for(20ms);
	pid_t child = test::run_and_wait(true_in(dir.path));
	std::string pid_field = "\"pid\":" + std::to_string(child) + ",";
	bool found = false;
	while (!found && std::chrono::steady_clock::now() < deadline) {
		found = has(read_text(log), pid_field);
		std::this_thread::sleep_for(20ms);
	}
	::kill(guard_pid, SIGTERM);
	int status = 0;
	::waitpid(guard_pid, &status, 0);
	INFO("stderr: " << read_text(dir.path + "/stderr.txt"));
	CHECK(found);
	CHECK(WIFEXITED(status));
	struct stat st {};
	REQUIRE(::stat(log.c_str(), &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);
	CHECK(has(read_text(log), "\"rule\":\"EXEC_FROM_TMP\""));
}

TEST_CASE("a bad rules file stops guard before it loads anything: file:line:col and exit 2")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	dir.write("bad.json", "{\"rules\": [{\"id\": \"X\", \"severity\": \"hihg\", \"events\": [\"exec\"]}]}");
	std::string err;
	int status = run_guard({"--rules", "bad.json"}, dir.path, err);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 2);
	CHECK(err == "guard: bad.json:1:36: unknown severity \"hihg\", did you mean \"high\"?\n");
	status = run_guard({"rules", "check", "bad.json"}, dir.path, err);
	CHECK(WEXITSTATUS(status) == 2);
	status = run_guard({"rules", "check", "nope.json"}, dir.path, err);
	CHECK(WEXITSTATUS(status) == 2);
	CHECK(has(err, "nope.json: No such file or directory"));
}

TEST_CASE("SIGHUP reloads the rules atomically; a bad file keeps the old ones")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	auto rules_with = [](const std::string &id) {
		return "{\"rules\": [{\"id\": \"" + id + "\", \"severity\": \"low\", \"events\": [\"exec\"], "
		       "\"match\": {\"field\": \"path\", \"suffix\": \"/true-from-tmp\"}}]}";
	};
	std::string rules = dir.write("rules.json", rules_with("FIRST"));
	test::GuardProcess guard({"--rules", rules});
	REQUIRE(!guard.wait_attached().empty());
	std::string exe = true_in(dir.path);
	auto alert_for = [&](pid_t pid, const std::string &rule) {
		std::string f = "\"pid\":" + std::to_string(pid) + ",";
		return guard.find_line([&](const std::string &l) {
			return has(l, "\"type\":\"alert\"") && has(l, f) && has(l, "\"rule\":\"" + rule + "\"");
		});
	};
	CHECK(alert_for(test::run_and_wait(exe), "FIRST"));

	dir.write("rules.json", rules_with("SECOND"));
	::kill(guard.pid(), SIGHUP);
	CHECK(guard.find_line([](const std::string &l) { return has(l, "\"type\":\"reload\"") && has(l, "\"ok\":true"); }));
	CHECK(alert_for(test::run_and_wait(exe), "SECOND"));

	dir.write("rules.json", "{\"rules\": [{\"id\": \"THIRD\"");
	::kill(guard.pid(), SIGHUP);
	auto failed = guard.find_line([](const std::string &l) { return has(l, "\"type\":\"reload\"") && has(l, "\"ok\":false"); });
	REQUIRE(failed);
	CHECK(has(*failed, "rules.json:1:"));
	CHECK(alert_for(test::run_and_wait(exe), "SECOND"));
	CHECK(guard.stop(SIGTERM) == 0);
	CHECK(has(guard.stderr_text(), "reload failed, the previous rules stay: " + rules + ":1:"));
}

TEST_CASE("guard record, then guard replay without the kernel: the same exec comes out")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	std::string recording = dir.path + "/exec.rec";
	pid_t guard_pid = -1;
	std::string err;
	run_guard({"record", recording}, dir.path, err, &guard_pid);
	auto deadline = std::chrono::steady_clock::now() + 10s;
	while (read_text(dir.path + "/stderr.txt").find("guard: attached ") == std::string::npos &&
	       std::chrono::steady_clock::now() < deadline)
		std::this_thread::sleep_for(20ms);
	pid_t child = test::run_and_wait(true_in(dir.path));
	std::this_thread::sleep_for(300ms);
	::kill(guard_pid, SIGTERM);
	int status = 0;
	::waitpid(guard_pid, &status, 0);
	CHECK(WIFEXITED(status));
	struct stat st {};
	REQUIRE(::stat(recording.c_str(), &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);

	std::string out = dir.path + "/replayed.jsonl";
	status = run_guard({"replay", recording, "-o", out, "--health"}, dir.path, err);
	INFO("replay stderr: " << err);
	REQUIRE(WEXITSTATUS(status) == 0);
	std::string text = read_text(out);
	std::string pid_field = "\"pid\":" + std::to_string(child) + ",";
	CHECK(has(text, pid_field));
	CHECK(has(text, "\"rule\":\"EXEC_FROM_TMP\""));
	CHECK(has(text, "\"type\":\"health\""));
}

TEST_CASE("the seed's SHADOW_READ on real opens: a success and a refused attempt, told apart")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	test::GuardProcess guard({"--rules", dir.write("rules.json", kSeedRules)});
	REQUIRE(!guard.wait_attached().empty());
	auto open_shadow_as = [](uid_t uid) {
		pid_t pid = ::fork();
		if (pid == 0) {
			if (uid != 0 && (::setgid(uid) != 0 || ::setuid(uid) != 0))
				_exit(3);
			int fd = ::open("/etc/shadow", O_RDONLY | O_CLOEXEC);
			_exit(fd >= 0 ? 0 : 1);
		}
		int status = 0;
		::waitpid(pid, &status, 0);
		return std::make_pair(pid, WEXITSTATUS(status));
	};
	auto [ok_pid, ok_status] = open_shadow_as(0);
	auto [denied_pid, denied_status] = open_shadow_as(65534);
	REQUIRE(ok_status == 0);
	REQUIRE(denied_status == 1);
	auto alert_of = [&](pid_t pid) {
		std::string f = "\"pid\":" + std::to_string(pid) + ",";
		return guard.find_line([&](const std::string &l) {
			return has(l, "\"type\":\"alert\"") && has(l, f) && has(l, "\"rule\":\"SHADOW_READ\"");
		});
	};
	auto ok = alert_of(ok_pid);
	auto denied = alert_of(denied_pid);
	INFO("output: " << guard.output_text());
	REQUIRE(ok);
	REQUIRE(denied);
	CHECK(has(*ok, "\"severity\":\"high\""));
	CHECK(has(*ok, "\"path\":\"/etc/shadow\",\"ok\":true"));
	CHECK(has(*ok, "\"access\":\"read\""));
	CHECK(has(*denied, "\"ok\":false,\"errno\":13,\"error\":\"EACCES\""));
	CHECK(has(*denied, "\"uid\":65534"));
}

TEST_CASE("the seed's SUSPICIOUS_CONNECT on a real connect from \"nc\" in an empty network namespace")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	// net_ops under the name nc: its comm is one of the seed's process_names.
	std::string nc = dir.path + "/nc";
	std::filesystem::copy_file(std::string(GUARD_HELPERS_DIR) + "/net_ops", nc);
	test::GuardProcess guard({"--rules", dir.write("rules.json", kSeedRules)});
	REQUIRE(!guard.wait_attached().empty());
	auto connect_from_empty_netns = [&](const std::vector<std::string> &args) {
		pid_t pid = ::fork();
		if (pid == 0) {
			// No interface, no route: connect fails at once and nothing leaves the machine.
			if (::unshare(CLONE_NEWNET) != 0)
				_exit(126);
			int null = ::open("/dev/null", O_WRONLY);
			::dup2(null, STDOUT_FILENO);
			std::vector<std::string> a{nc};
			a.insert(a.end(), args.begin(), args.end());
			test::exec_or_die(a);
		}
		::waitpid(pid, nullptr, 0);
		return pid;
	};
	pid_t outside = connect_from_empty_netns({"connect4", "198.51.100.7", "4444"});
	pid_t outside6 = connect_from_empty_netns({"connect6", "2001:db8::7", "4444"});
	pid_t private_net = connect_from_empty_netns({"connect4", "10.1.2.3", "4444"});
	auto line_of = [&](pid_t pid, const char *type, std::chrono::milliseconds wait = 3000ms) {
		std::string f = "\"pid\":" + std::to_string(pid) + ",";
		return guard.find_line([&](const std::string &l) { return has(l, type) && has(l, f); }, wait);
	};
	INFO("output: " << guard.output_text());
	// (nc runs from /tmp, so its exec raises EXEC_FROM_TMP too: look for the connect's alert.)
	const char *connect_alert = "\"event\":\"net_connect\"";
	auto alert = line_of(outside, connect_alert);
	REQUIRE(alert);
	CHECK(has(*alert, "\"rule\":\"SUSPICIOUS_CONNECT\",\"severity\":\"high\""));
	CHECK(has(*alert, "\"comm\":\"nc\""));
	CHECK(has(*alert, "\"addr\":\"198.51.100.7\",\"port\":4444,\"ok\":false,\"errno\":101,\"error\":\"ENETUNREACH\""));
	auto alert6 = line_of(outside6, connect_alert);
	REQUIRE(alert6);
	CHECK(has(*alert6, "\"addr\":\"2001:db8::7\""));
	auto plain = line_of(private_net, "\"type\":\"net_connect\"");
	REQUIRE(plain);
	CHECK_FALSE(has(*plain, "\"rule\""));
	CHECK_FALSE(line_of(private_net, connect_alert, 200ms));
}

TEST_CASE("the default rules on real events: a dropper, a fileless exec, a persistence write")
{
	REQUIRE(test::running_as_root());
	TempDir dir;
	test::GuardProcess guard; // the built-in rules
	REQUIRE(!guard.wait_attached().empty());
	auto alert = [&](const std::string &rule, pid_t pid) {
		std::string f = "\"pid\":" + std::to_string(pid) + ",";
		return guard.find_line([&](const std::string &l) {
			return has(l, "\"type\":\"alert\"") && has(l, "\"rule\":\"" + rule + "\"") && has(l, f);
		});
	};

	// Dropped: written into /tmp by this process, then executed.
	std::string dropped = true_in(dir.path);
	pid_t ran = test::run_and_wait(dropped);
	INFO("output: " << guard.output_text());
	CHECK(alert("DROPPER", ran));

	// Fileless: execveat of a memfd.
	auto memfd = test::run_helper("proc_ops", {"memfd-exec"});
	CHECK(alert("FILELESS_EXEC", memfd.pid));

	// Persistence: a write to a shell start-up file that is not there (and
	// cannot be: the directory does not exist), so nothing on the host changes.
	pid_t writer = ::fork();
	if (writer == 0) {
		int fd = ::open("/home/guard-e2e-nobody/.bashrc", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		_exit(fd >= 0 ? 0 : 1);
	}
	::waitpid(writer, nullptr, 0);
	auto persistence = alert("PERSISTENCE_SHELL_PROFILE", writer);
	REQUIRE(persistence);
	CHECK(has(*persistence, "\"ok\":false,\"errno\":2,\"error\":\"ENOENT\""));
}
