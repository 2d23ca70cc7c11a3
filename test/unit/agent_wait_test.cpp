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
	wait.after_drain(false, false);
	CHECK(wait.timeout_ms() == AgentWait::kFallbackMs);
}

TEST_CASE("agent wait: a quiet wakeup gets one second look, one quiet interval later")
{
	AgentWait wait;
	wait.after_drain(true, false);
	CHECK(wait.timeout_ms() == AgentWait::kQuietWakeupMs);
	// The look's own drain was not a wakeup: back to the fallback.
	wait.after_drain(false, false);
	CHECK(wait.timeout_ms() == AgentWait::kFallbackMs);
	wait.after_drain(true, false);
	CHECK(wait.timeout_ms() == AgentWait::kQuietWakeupMs);
}

TEST_CASE("agent wait: no second look after the backlog threshold's wakeup")
{
	AgentWait wait;
	wait.after_drain(true, true);
	CHECK(wait.timeout_ms() == AgentWait::kFallbackMs);
	wait.after_drain(false, true);
	CHECK(wait.timeout_ms() == AgentWait::kFallbackMs);
}
