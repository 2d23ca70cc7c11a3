// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/rules_reloader.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <vector>

#include "base/error.h"

namespace guard {

// Shared with the thread, which may outlive the reloader: at exit guard does
// not wait for a load stuck in a file system.
struct RulesReloader::State {
	~State()
	{
		if (ready_fd >= 0)
			::close(ready_fd);
	}
	std::function<rules::LoadedRules()> load;
	int ready_fd = -1; // an eventfd
	std::mutex mutex;
	std::condition_variable wake;
	bool requested = false;
	bool stopping = false;
	bool working = false;
	std::optional<RulesLoad> result;
	std::atomic<bool> has_result{false};
	std::vector<std::unique_ptr<RuleSet>> garbage;
};

RulesReloader::RulesReloader(std::function<rules::LoadedRules()> load) : state_(std::make_shared<State>())
{
	state_->ready_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (state_->ready_fd < 0)
		fail(errno_message("eventfd", errno));
	state_->load = std::move(load);
	thread_ = std::thread(run, state_);
}

RulesReloader::~RulesReloader()
{
	bool working;
	{
		std::lock_guard lock(state_->mutex);
		state_->stopping = true;
		working = state_->working;
	}
	state_->wake.notify_one();
	// A load that is still running (a file system that does not answer)
	// must not hold up the agent's exit.
	if (working)
		thread_.detach();
	else
		thread_.join();
}

int RulesReloader::ready_fd() const { return state_->ready_fd; }

void RulesReloader::request()
{
	{
		std::lock_guard lock(state_->mutex);
		state_->requested = true;
	}
	state_->wake.notify_one();
}

std::optional<RulesLoad> RulesReloader::take()
{
	if (!state_->has_result.load(std::memory_order_acquire))
		return std::nullopt;
	std::lock_guard lock(state_->mutex);
	uint64_t n;
	if (::read(state_->ready_fd, &n, sizeof(n)) < 0) {
		// EAGAIN: the count was read with an earlier result; nothing to do.
	}
	state_->has_result.store(false, std::memory_order_relaxed);
	return std::exchange(state_->result, std::nullopt);
}

void RulesReloader::dispose(std::unique_ptr<RuleSet> old)
{
	{
		std::lock_guard lock(state_->mutex);
		state_->garbage.push_back(std::move(old));
	}
	state_->wake.notify_one();
}

void RulesReloader::run(std::shared_ptr<State> s)
{
	std::unique_lock lock(s->mutex);
	for (;;) {
		s->wake.wait(lock, [&] { return s->requested || s->stopping || !s->garbage.empty(); });
		if (s->stopping)
			return;
		std::vector<std::unique_ptr<RuleSet>> garbage = std::move(s->garbage);
		s->garbage.clear();
		bool requested = std::exchange(s->requested, false);
		s->working = requested;
		lock.unlock();
		garbage.clear();
		if (!requested) {
			lock.lock();
			continue;
		}
		RulesLoad r;
		auto start = std::chrono::steady_clock::now();
		try {
			r.loaded = s->load();
		} catch (const rules::RulesFileError &e) {
			r.error = e.what();
			r.bad_file = true;
		} catch (const std::exception &e) {
			r.error = e.what();
		}
		r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		lock.lock();
		s->working = false;
		s->result = std::move(r);
		s->has_result.store(true, std::memory_order_release);
		uint64_t one = 1;
		if (::write(s->ready_fd, &one, sizeof(one)) < 0) {
			// The counter cannot overflow at one write per load.
		}
	}
}

} // namespace guard
