#include "cli/agent.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <vector>

#include "cli/embedded_object.h"
#include "cli/families.h"
#include "engine/health.h"
#include "engine/kernel_drops.h"
#include "loader/collection.h"
#include "loader/error.h"
#include "loader/object_spec.h"
#include "loader/ring_view.h"
#include "loader/tracepoint.h"
#include "rules/rules_file.h"

namespace guard {

namespace {

// How long records below the wakeup threshold may wait in the ring: the
// agent looks at least this often (100 times a second costs it nothing
// measurable; a kernel wakeup per record costs each syscall microseconds).
constexpr int kPollMs = 10;

// SIGINT, SIGTERM and SIGHUP arrive as readable data on an fd, so the loop
// waits on the ring and on signals in one epoll_wait and acts between batches.
Fd block_signals()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
		fail(errno_message("block signals", errno));
	int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		fail(errno_message("signalfd", errno));
	return Fd(fd);
}

// "process 11, file 38": programs attached per family.
std::string family_counts(const Collection &objects)
{
	std::string s;
	for (const EventFamily &f : event_families()) {
		size_t n = 0;
		for (const Program &p : objects.programs())
			n += family_of_program(p.spec->name) == f.name;
		if (n)
			s += (s.empty() ? "" : ", ") + std::string(f.name) + " " + std::to_string(n);
	}
	return s;
}

LoadOptions load_options(const AgentOptions &options, const ObjectSpec &spec)
{
	LoadOptions load;
	load.max_entries["events"] = options.ring_pages * static_cast<uint32_t>(::getpagesize());
	std::vector<std::string> names;
	for (const ProgramSpec &p : spec.programs)
		names.push_back(p.name);
	load.skip_programs = programs_of_families(options.disabled_families, names);
	// Some syscalls exist only on some architectures (open, creat, rename,
	// fork, ... are x86_64's but not arm64's; fchmodat2 is 6.6+): a program
	// whose tracepoint this kernel lacks is skipped, not an error.
	const std::string events_dir = tracefs_root() + "/events/";
	for (const ProgramSpec &p : spec.programs)
		if (::access((events_dir + p.attach_group + "/" + p.attach_event).c_str(), F_OK) != 0) {
			std::fprintf(stderr, "guard: no tracepoint %s/%s on this kernel, %s not loaded\n",
				     p.attach_group.c_str(), p.attach_event.c_str(), p.name.c_str());
			load.skip_programs.push_back(p.name);
		}
	return load;
}

} // namespace

int run_agent(const AgentOptions &options)
{
	try {
		::signal(SIGPIPE, SIG_IGN); // a closed output is an error we report, not a silent death
		Fd stop = block_signals();
		// Rules and output first: a bad rules file stops us before any BPF is loaded.
		std::unique_ptr<RecordConsumer> consumer = options.record_path.empty()
								   ? make_engine_consumer(options.engine, options.output_path)
								   : make_recorder(options.record_path);

		ObjectSpec spec = with_context("read embedded BPF object", [] { return read_object_spec(embedded_bpf_object()); });
		// The kernel side skips the agent's own syscalls (kern/common.bpf.h).
		spec.set_global("guard_agent_tgid", static_cast<uint32_t>(::getpid()));
		// The kernel wakes us only when a sixteenth of the ring waits; a
		// short poll picks up the rest (kern/common.bpf.h, docs/schema.md).
		spec.set_global("guard_wakeup_bytes", uint64_t(options.ring_pages) * ::getpagesize() / 16);
		Collection objects = Collection::load(spec, load_options(options, spec));

		const Map &events = objects.map("events");
		RingView ring(events.fd.get(), events.spec.max_entries);

		std::vector<TracepointLink> links;
		for (const Program &p : objects.programs())
			links.push_back(with_context("program " + p.spec->name, [&] {
				return attach_tracepoint(p.fd.get(), p.spec->attach_group, p.spec->attach_event);
			}));
		auto elapsed = std::chrono::steady_clock::now() - options.started;
		std::fprintf(stderr, "guard: attached %zu program%s (%s) in %lld ms\n", links.size(),
			     links.size() == 1 ? "" : "s", family_counts(objects).c_str(),
			     static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));

		Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
		if (!epoll.valid())
			fail(errno_message("epoll_create1", errno));
		struct epoll_event ev {};
		ev.events = EPOLLIN;
		ev.data.fd = ring.fd();
		if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, ring.fd(), &ev) != 0)
			fail(errno_message("epoll add ring", errno));
		ev.data.fd = stop.get();
		if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, stop.get(), &ev) != 0)
			fail(errno_message("epoll add signalfd", errno));

		HealthSources sources;
		sources.kernel_drops = [&objects](KernelDrops &d) {
			try {
				read_kernel_drops(objects.map("drops").fd.get(), d);
			} catch (const Error &) {
				d.available = false; // the health record says "unknown" rather than stop the agent
			}
		};
		sources.ring_fill = [&ring](RingFill &f) {
			f.available = true;
			f.pending_bytes = ring.pending_bytes();
			f.size_bytes = ring.size();
		};
		consumer->set_health_sources(std::move(sources));
		auto on_record = [&](std::span<const uint8_t> r) { consumer->on_record(r); };

		bool stopping = false;
		while (!stopping) {
			// Drain before waiting, and look once more after the fence in
			// has_data(): a record committed meanwhile would not wake us.
			consumer->tick(std::chrono::steady_clock::now());
			if (ring.drain(on_record) > 0 || ring.has_data()) {
				consumer->after_batch();
				continue;
			}
			struct epoll_event ready[2];
			// Wake every kPollMs: for records below the wakeup threshold, and
			// for the periodic health records.
			int n = ::epoll_wait(epoll.get(), ready, 2, kPollMs);
			if (n < 0 && errno != EINTR)
				fail(errno_message("epoll_wait", errno));
			for (int i = 0; i < n; i++) {
				if (ready[i].data.fd != stop.get())
					continue;
				struct signalfd_siginfo si;
				while (::read(stop.get(), &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP)
						consumer->on_hangup();
					else
						stopping = true;
				}
			}
		}

		// Detach first, so nothing new arrives; then take what is in the ring.
		links.clear();
		ring.drain(on_record);
		consumer->finish();
		return 0;
	} catch (const rules::RulesFileError &e) {
		std::fprintf(stderr, "guard: %s\n", e.what());
		return 2;
	} catch (const Error &e) {
		std::fprintf(stderr, "guard: %s\n", e.what());
		return 1;
	}
}

} // namespace guard
