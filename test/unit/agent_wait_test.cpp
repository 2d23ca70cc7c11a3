// SPDX-License-Identifier: GPL-2.0-or-later
// The agent loop's sleep (cli/agent_wait.h): a second look soon after a
// kernel's quiet wakeup, the fallback otherwise.
#include "cli/agent_wait.h"

#include <doctest/doctest.h>

using guard::AgentWait;

TEST_CASE("agent wait: the fallback before anything happened, and after a timeout's drain")
{
	AgentWait wait;
	CHECK(wait.timeout_ms() == AgentWait::kFallbackMs);
	wait.after_drain(1, false);
	CHECK(wait.timeout_ms() == AgentWait::kFallbackMs);
}

TEST_CASE("agent wait: a quiet wakeup gets one second look, one quiet interval later")
{
	AgentWait wait;
	wait.after_drain(1, true);
	CHECK(wait.timeout_ms() == AgentWait::kQuietWakeupMs);
	// The look's own drain was not a wakeup: back to the fallback.
	wait.after_drain(3, false);
	CHECK(wait.timeout_ms() == AgentWait::kFallbackMs);
	// Woken with nothing left to take (an earlier drain took the record):
	// a record held back after that wakeup still needs the look.
	wait.after_drain(0, true);
	CHECK(wait.timeout_ms() == AgentWait::kQuietWakeupMs);
	wait.after_drain(AgentWait::kQuietRecords - 1, true);
	CHECK(wait.timeout_ms() == AgentWait::kQuietWakeupMs);
}

TEST_CASE("agent wait: no second look after a flood's large drain")
{
	AgentWait wait;
	wait.after_drain(AgentWait::kQuietRecords, true);
	CHECK(wait.timeout_ms() == AgentWait::kFallbackMs);
	wait.after_drain(800, true);
	CHECK(wait.timeout_ms() == AgentWait::kFallbackMs);
}
