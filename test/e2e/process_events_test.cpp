// Process events end to end: failed and fileless execs, forks of processes
// (not threads), exits, made by test/helpers/proc_ops.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>

#include <string>

#include "test/support/e2e_support.h"
#include "test/support/events.h"

using namespace guard;
using test::field_is;

TEST_CASE("a failed execve is reported with its path, argv and errno")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("proc_ops", {"exec-fail", "/nonexistent/guard-prog", "one", "two words"});
	REQUIRE(run.out == "exec-fail errno=2\n");
	INFO("output: " << guard.output_text());
	auto ev = test::find_event(guard, "exec_failed", run.pid);
	REQUIRE(ev);
	CHECK(ev->str("path") == "/nonexistent/guard-prog");
	CHECK(ev->flag("ok") == false);
	CHECK(ev->num("errno") == ENOENT);
	CHECK(ev->str("error") == "ENOENT");
	CHECK(ev->num("argc") == 3);
	simdjson::dom::array argv = ev->doc["argv"].get_array();
	REQUIRE(argv.size() == 3);
	CHECK(std::string_view(argv.at(0)) == "/nonexistent/guard-prog");
	CHECK(std::string_view(argv.at(1)) == "one");
	CHECK(std::string_view(argv.at(2)) == "two words");
	CHECK_FALSE(ev->has("argv_truncated"));
}

TEST_CASE("execveat of a memfd with AT_EMPTY_PATH is a fileless exec")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto run = test::run_helper("proc_ops", {"memfd-exec"});
	REQUIRE(WIFEXITED(run.status));
	REQUIRE(WEXITSTATUS(run.status) == 0); // it ran /bin/true from the memfd
	INFO("output: " << guard.output_text());
	auto ev = test::find_event(guard, "exec", run.pid, [](simdjson::dom::element doc) {
		bool b = false;
		return doc["fileless"].get_bool().get(b) == simdjson::SUCCESS && b;
	});
	REQUIRE(ev);
	CHECK(ev->flag("execveat"));
	CHECK(ev->str("path").starts_with("/dev/fd/"));
	CHECK(ev->str("comm") == "memfd:guard-tes"); // the kernel names it after the memfd, cut to 15
}

TEST_CASE("fork of a process is reported with the child's pid; a thread is not")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard;
	REQUIRE(!guard.wait_attached().empty());

	auto forked = test::run_helper("proc_ops", {"fork-exit", "3"});
	pid_t child = std::stoi(test::helper_value(forked.out, "child"));
	auto threaded = test::run_helper("proc_ops", {"thread"});
	pid_t thread = std::stoi(test::helper_value(threaded.out, "tid"));
	INFO("output: " << guard.output_text());

	auto fork = test::find_event(guard, "fork", forked.pid);
	REQUIRE(fork);
	CHECK(fork->num("child_pid") == child);
	CHECK(fork->num("child_tid") == child);
	CHECK((fork->num("clone_flags") & CLONE_THREAD) == 0);
	CHECK(fork->str("comm") == "proc_ops");

	// The child's own exit, and the parent's.
	CHECK(test::find_event(guard, "exit", child));
	CHECK(test::find_event(guard, "exit", forked.pid));

	// The thread helper's exit is there, so everything before it is too.
	REQUIRE(test::find_event(guard, "exit", threaded.pid));
	CHECK_FALSE(test::find_event(guard, "fork", threaded.pid, {}, std::chrono::milliseconds(0)));
	CHECK(thread != threaded.pid);
}
