// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/agent.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <future>
#include <memory>
#include <vector>

#include "base/error.h"
#include "cli/agent_rings.h"
#include "cli/agent_wait.h"
#include "cli/detach.h"
#include "cli/embedded_object.h"
#include "cli/kill_tables.h"
#include "cli/prefilter_tables.h"
#include "cli/privileges.h"
#include "cli/seccomp.h"
#include "cli/signals.h"
#include "engine/health.h"
#include "loader/attach.h"
#include "loader/collection.h"
#include "loader/core_relocate.h"
#include "loader/families.h"
#include "loader/global_tgid.h"
#include "loader/kernel_support.h"
#include "loader/object_spec.h"
#include "rules/rules_file.h"

namespace guard {

namespace {

// How long one drain may run before the loop looks at signals, the health
// timer and finished reloads again (a flood the engine cannot keep up with
// would otherwise keep it draining forever); and the last drain, at exit.
constexpr int kBatchMs = 20;
constexpr int kFinalDrainMs = 250;

LoadOptions load_options(const AgentOptions &options, const ObjectSpec &spec)
{
	LoadOptions load;
	load.skip_programs = programs_to_skip(spec, options.disabled_families, "guard");
	return load;
}

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b)
{
	return std::chrono::duration<double, std::milli>(b - a).count();
}

// For AgentRings::drain: enough once ms have passed (the clock read every 32
// records, a vDSO call, ~1 ns a record).
auto batch_budget(int ms)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
	return [deadline](size_t n) { return n % 32 == 0 && std::chrono::steady_clock::now() >= deadline; };
}

// After the agent could not start: what this kernel lacks, or what
// privilege is missing, when that is why. Asked only then: the probes cost
// a millisecond that a good start need not pay.
void explain_failure()
{
	try {
		std::string missing = describe_missing(missing_kernel_features(kernel_features()));
		if (!missing.empty())
			std::fprintf(stderr, "guard: %s\n", missing.c_str());
	} catch (const Error &e) {
		std::fprintf(stderr, "guard: %s\n", e.what());
	}
}

// Acts on every signal that waits; returns the one that stops guard, or 0.
int handle_signals(AgentSignals &signals, RecordConsumer &consumer)
{
	int signo = 0;
	for (;;) {
		switch (signals.next(signo)) {
		case SignalAction::none: return 0;
		case SignalAction::stop: return signo;
		case SignalAction::reload: consumer.on_hangup(); break;
		case SignalAction::stats: consumer.print_stats(); break;
		}
	}
}

// The reader of stdout is behind (engine/output_pace.h): sleeps until the
// output can take more, a signal comes, or kFallbackMs pass (the health
// timer). Returns the signal that stops guard, or 0.
int wait_for_output(RecordConsumer &consumer, AgentSignals &signals)
{
	struct pollfd fds[2] = {{consumer.output_fd(), POLLOUT, 0}, {signals.fd(), POLLIN, 0}};
	if (::poll(fds, 2, AgentWait::kFallbackMs) < 0 && errno != EINTR)
		fail(errno_message("poll the output", errno));
	return fds[1].revents & POLLIN ? handle_signals(signals, consumer) : 0;
}

// At exit, after detaching: what the rings hold, at the output's pace, for
// at most kFinalDrainMs (an engine or a reader far behind must not hold up
// the stop; what is left is said).
template <class OnRecord> void drain_at_exit(AgentRings &rings, RecordConsumer &consumer, OnRecord &on_record)
{
	auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kFinalDrainMs);
	auto late = [until] { return std::chrono::steady_clock::now() >= until; };
	while (rings.pending_bytes() > 0 && !late()) {
		if (consumer.output_waits(std::chrono::steady_clock::now())) {
			struct pollfd p {consumer.output_fd(), POLLOUT, 0};
			::poll(&p, 1, AgentWait::kFallbackMs);
		} else {
			rings.drain(on_record, [&](size_t n) { return consumer.batch_full() || (n % 32 == 0 && late()); });
		}
		consumer.after_batch();
	}
}

} // namespace

int run_agent(const AgentOptions &options)
{
	if (std::string why = missing_privileges(); !why.empty()) {
		std::fprintf(stderr, "guard: %s\n", why.c_str());
		return 1;
	}
	bool started = false; // attached and running: a failure now is not the kernel's nor the privilege's
	try {
		// First, while guard holds nothing: the helper that takes the
		// tracepoints' perf events off guard's exit (cli/detach.h).
		DetachHelper detach_helper = DetachHelper::start();
		AgentSignals signals;
		// The kernel's BTF (for CO-RE, ~100,000 types to index) is read on
		// a second CPU while this one sets up the engine.
		std::future<Btf> kernel_btf = std::async(std::launch::async, read_kernel_btf);
		// Rules and output first: a bad rules file stops us before any BPF is loaded.
		std::unique_ptr<RecordConsumer> consumer = options.record_path.empty()
								   ? make_engine_consumer(options.engine, options.output_path, signals)
								   : make_recorder(options.record_path);
		auto engine_ready = std::chrono::steady_clock::now();

		ObjectSpec spec = with_context("read embedded BPF object", [] { return read_object_spec(embedded_bpf_object()); });
		// The kernel side skips the agent's own syscalls (kern/common.bpf.h),
		// by the tgid the kernel knows it by, which getpid() is not in a pid
		// namespace (loader/global_tgid.h).
		spec.set_global("guard_agent_tgid", read_global_tgid());
		// Kill rules are armed only when asked (kern/enforce.bpf.h).
		spec.set_global("guard_enforce", uint32_t(options.engine.enforce && options.record_path.empty()));
		// The prefilter holds back what no rule can match, when only alerts
		// are written (kern/prefilter.bpf.h); guard record keeps everything.
		spec.set_global("guard_filter_kinds",
				uint32_t(options.record_path.empty() ? prefiltered_kinds(options.engine) : 0));
		LoadOptions load = load_options(options, spec);
		// The kernel wakes us for a record in a quiet ring and as a
		// sixteenth of a busy one fills (kern/common.bpf.h, docs/schema.md).
		size_rings(options.ring_pages, spec, load);
		LoadTimings timings;
		load.timings = &timings;
		Btf vmlinux = kernel_btf.get();
		load.kernel_btf = &vmlinux;
		auto object_read = std::chrono::steady_clock::now();
		Collection objects = Collection::load(spec, load);
		signals.stop_if_asked();

		AgentRings rings(objects);
		// Before attaching: a kill rule holds from the first event.
		KillTables kill_tables(objects);
		PrefilterTables prefilter(objects);
		consumer->set_kernel_tables([&kill_tables, &prefilter](const RuleSet &set) {
			prefilter.install(build_prefilter_table(set));
			kill_tables.install(build_kill_table(set));
		});

		auto attaching = std::chrono::steady_clock::now();
		Attachments attached = attach_programs(objects);
		auto now = std::chrono::steady_clock::now();
		detach_helper.hand_over(attached.links);
		// Seeded now, not before attaching: a process that starts meanwhile
		// is then in /proc or in a ring, whichever it missed.
		consumer->start();

		Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
		if (!epoll.valid())
			fail(errno_message("epoll_create1", errno));
		struct epoll_event ev {};
		// Edge-triggered: ready when the kernel wakes us, not whenever a
		// ring holds a record (level-triggered, the ring's poll says ready
		// for any data, and a busy ring would be drained a few records at a
		// time).
		for (uint32_t r = 0; r < GUARD_RING_COUNT; r++) {
			ev.events = EPOLLIN | EPOLLET;
			ev.data.fd = rings.fd(r);
			if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, rings.fd(r), &ev) != 0)
				fail(errno_message("epoll add " + std::string(ring_name(r)) + " ring", errno));
		}
		ev.events = EPOLLIN;
		ev.data.fd = signals.fd();
		if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, signals.fd(), &ev) != 0)
			fail(errno_message("epoll add signalfd", errno));

		HealthSources sources;
		sources.kernel_drops = [&rings](KernelDrops &d) {
			try {
				rings.read_drops(d);
			} catch (const Error &) {
				d.available = false; // the health record says "unknown" rather than stop the agent
			}
		};
		sources.ring_fill = [&rings](RingFill (&f)[GUARD_RING_COUNT]) { rings.fill(f); };
		consumer->set_health_sources(std::move(sources));
		auto on_record = [&](std::span<const uint8_t> r) { consumer->on_record(r); };
		// From here on guard needs little (cli/privileges.h, cli/seccomp.h).
		drop_privileges();
		install_seccomp_filter(options.record_path.empty() &&
				       (!options.engine.syslog_urls.empty() || options.engine.journald));
		started = true;
		// Ready: said once everything is in place, privileges dropped too.
		// Where start-up went (docs/loader.md, "Start-up time").
		std::fprintf(stderr,
			     "guard: attached %s in %.0f ms (engine %.1f, object %.1f, maps %.1f, relocate %.1f, "
			     "verify %.1f, attach %.1f)\n",
			     describe(attached).c_str(), ms_between(options.started, now),
			     ms_between(options.started, engine_ready), ms_between(engine_ready, object_read), timings.maps,
			     timings.relocate, timings.verify, ms_between(attaching, now));

		int stop_signal = 0;
		AgentWait wait;
		bool woken_by_ring = false;
		while (!stop_signal) {
			// Drain, write, wait. The kernel wakes us for a record in a
			// quiet ring, and in a busy one once a sixteenth of it waits
			// (flat out: at once); AgentWait's timeout takes the records
			// between (kern/common.bpf.h, cli/agent_wait.h). Draining again
			// whenever a record was waiting made one small write per
			// handful of records flat out, and write(2) became half of the
			// agent's CPU.
			auto now = std::chrono::steady_clock::now();
			consumer->tick(now);
			// The reader of stdout is behind: the records wait in the
			// rings until it takes more (engine/output_pace.h).
			if (consumer->output_waits(now)) {
				stop_signal = wait_for_output(*consumer, signals);
				consumer->after_batch();
				continue;
			}
			bool at_threshold = rings.behind();
			bool batch_full = false;
			auto enough = [&, budget = batch_budget(kBatchMs)](size_t n) {
				return (batch_full = consumer->batch_full()) || budget(n);
			};
			if (rings.drain(on_record, enough) > 0)
				consumer->after_batch();
			wait.after_drain(woken_by_ring, at_threshold);
			woken_by_ring = false;
			// Still a sixteenth behind, or the drain stopped for the
			// output: the kernel wakes us only as a backlog crosses that
			// mark, so no wakeup is coming. Go again (after a look at the
			// signals, so a flood cannot delay a stop). (An unfenced,
			// stale look can only send us to sleep, and the timeout bounds
			// that sleep.)
			if (batch_full || rings.behind()) {
				stop_signal = handle_signals(signals, *consumer);
				continue;
			}
			struct epoll_event ready[GUARD_RING_COUNT + 1];
			int n = ::epoll_wait(epoll.get(), ready, GUARD_RING_COUNT + 1, wait.timeout_ms());
			if (n < 0 && errno != EINTR)
				fail(errno_message("epoll_wait", errno));
			for (int i = 0; i < n; i++) {
				if (ready[i].data.fd == signals.fd())
					stop_signal = handle_signals(signals, *consumer);
				else
					woken_by_ring = true;
			}
		}

		// Detach first, so nothing new arrives; then take what is in the rings.
		auto stopping = std::chrono::steady_clock::now();
		detach_all(attached.links);
		auto detached = std::chrono::steady_clock::now();
		drain_at_exit(rings, *consumer, on_record);
		if (uint64_t left = rings.pending_bytes())
			std::fprintf(stderr, "guard: %" PRIu64 " bytes of records left unread in the rings at exit\n", left);
		bool written = consumer->finish();
		std::fprintf(stderr, "guard: stopped by %s in %.0f ms (detach %.0f)\n", signal_name(stop_signal),
			     ms_between(stopping, std::chrono::steady_clock::now()), ms_between(stopping, detached));
		return written ? 0 : 1;
	} catch (const StopRequested &s) {
		std::fprintf(stderr, "guard: stopped by %s while starting\n", signal_name(s.signo));
		return 0;
	} catch (const OutputClosed &) {
		return 0; // the reader of stdout went away (guard | head): done, as a filter is
	} catch (const rules::RulesFileError &e) {
		std::fprintf(stderr, "guard: %s\n", e.what());
		return 2;
	} catch (const Error &e) {
		std::fprintf(stderr, "guard: %s\n", e.what());
		if (!started)
			explain_failure();
		return 1;
	}
}

} // namespace guard
