// SPDX-License-Identifier: GPL-2.0-or-later
// SUSPICIOUS_CONNECT by the file a process runs, not only its name: bash
// renames itself "updater" (/proc/self/comm, what prctl(PR_SET_NAME) sets)
// and then connects out through /dev/tcp, in an empty network namespace
// (the connect fails at once; nothing leaves the machine).
#include <doctest/doctest.h>

#include "test/support/e2e_support.h"
#include "test/support/events.h"

using namespace guard;

TEST_CASE("a shell that renamed its comm and connects out is SUSPICIOUS_CONNECT by its exe")
{
	REQUIRE(test::running_as_root());
	test::GuardProcess guard; // the built-in rules
	REQUIRE(!guard.wait_attached().empty());
	INFO("output: " << guard.output_text());
	pid_t pid = test::run_and_wait("/usr/bin/unshare",
				       {"-n", "/bin/bash", "-c", "printf updater > /proc/self/comm; exec 3<>/dev/tcp/198.51.100.7/443"});
	CHECK(test::alerted(guard, pid, "SUSPICIOUS_CONNECT", "\"comm\":\"updater\""));
	CHECK(test::alerted(guard, pid, "SUSPICIOUS_CONNECT", "\"exe\":\"/usr/bin/bash\""));
}
