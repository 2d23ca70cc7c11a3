/* SPDX-License-Identifier: GPL-2.0-or-later */
// Reading and compiling the rules on a thread of their own, so the agent's
// loop never waits for a file or a compile (a FIFO in the file's place, a
// slow disk, 100,000 rules): the loop keeps draining the ring, asks for a
// load (request), and between two batches takes the finished result (take)
// and swaps the compiled set in with one pointer. A set taken out of use is
// freed on this thread too.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/rule_set.h"
#include "rules/rules_file.h"

namespace guard {

struct RulesLoad {
	std::optional<rules::LoadedRules> loaded; // empty: it failed
	std::string error;                        // why it failed
	bool bad_file = false;                    // a RulesFileError (exit 2 at start)
	double seconds = 0;                       // how long reading and compiling took
};

class RulesReloader {
public:
	// load runs on the thread for each request; it may throw guard::Error.
	explicit RulesReloader(std::function<rules::LoadedRules()> load);
	~RulesReloader();
	RulesReloader(const RulesReloader &) = delete;
	RulesReloader &operator=(const RulesReloader &) = delete;

	// Starts a load; while one runs, another follows it (requests made
	// meanwhile count once).
	void request();
	// A finished load, once. Cheap when there is none (one atomic load).
	std::optional<RulesLoad> take();
	// Readable while a finished load waits to be taken (for poll).
	int ready_fd() const;
	// Frees a rule set the engine no longer uses, off the loop's thread.
	void dispose(std::unique_ptr<RuleSet> old);

private:
	struct State;
	static void run(std::shared_ptr<State> state);

	std::shared_ptr<State> state_;
	std::thread thread_;
};

} // namespace guard
