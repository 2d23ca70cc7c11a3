// SPDX-License-Identifier: GPL-2.0-or-later
// Engine benchmark (not a test): records per second on one core through the
// whole userspace path (decode, process table, default rules, event and
// alert formatting, batched writes to /dev/null). Records are built in memory
// (synthetic/record_mix.h), so no root and no kernel are involved.
//
//   engine_bench [--records N] [--mix typical|alerts] [--rules FILE] [--sigma PATH]... [--alerts-only] [--out FILE]
//
// --out writes the output to FILE instead of /dev/null: two builds' outputs
// can then be compared byte for byte (a speed change must not change them).
// "typical": mostly ordinary events (reads, execs from /usr, private
// connects) with about 1 in 100 matching a rule; "alerts": every default
// rule fires, about a third of records raise an alert. Prints one line per
// run and a final JSON line for harnesses.
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/pipeline.h"
#include "rules/rules_file.h"
#include "sigma/with_rules.h"
#include "synthetic/record_mix.h"

using namespace guard;
using namespace guard::synthetic;

namespace {

std::vector<std::vector<uint8_t>> typical_mix()
{
	std::vector<std::vector<uint8_t>> v;
	Task t{3000, 1, "make", 1'000'000'000};
	Task cc{3001, 3000, "cc1plus", 1'000'001'000};
	v.push_back(fork_record(t, cc.pid));
	v.push_back(exec_record(cc, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus", {"cc1plus", "-quiet", "-I.", "engine/pipeline.cpp", "-O2"}));
	const char *paths[] = {"/usr/include/c++/12/vector", "/usr/include/stdio.h", "/etc/ld.so.cache", "/lib/x86_64-linux-gnu/libc.so.6",
			       "/work/src/engine/pipeline.cpp", "/work/src/engine/pipeline.h", "/proc/self/status", "/usr/share/locale/locale.alias"};
	for (int round = 0; round < 10; round++)
		for (const char *p : paths)
			v.push_back(file_record(cc, GUARD_RECORD_FILE_OPEN, p, {}, 3, O_RDONLY));
	v.push_back(file_record(cc, GUARD_RECORD_FILE_OPEN, "/work/src/build/engine/pipeline.o", {}, 4, O_WRONLY | O_CREAT | O_TRUNC, GUARD_FILE_MODIFY));
	v.push_back(file_record(cc, GUARD_RECORD_FILE_RENAME, "/work/src/build/x.tmp", "/work/src/build/x", 0));
	v.push_back(file_record(cc, GUARD_RECORD_FILE_UNLINK, "/tmp/ccXYZ.s", {}, 0));
	v.push_back(net_record(t, GUARD_RECORD_NET_CONNECT, AF_INET, ipv4(10, 0, 0, 2), 443));
	v.push_back(net_record(t, GUARD_RECORD_NET_CONNECT, AF_UNIX, {}, 0));
	v.push_back(exit_record(cc, 0));
	v.push_back(exec_record(cc, "/tmp/conftest", {"./conftest"})); // EXEC_FROM_TMP: the one alert
	return v;
}

// Resident memory of this process now (VmRSS), in KiB.
long rss_kib()
{
	FILE *f = std::fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long kib = -1;
	while (std::fgets(line, sizeof(line), f))
		if (std::sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	std::fclose(f);
	return kib;
}

} // namespace

int main(int argc, char **argv)
{
	size_t records = 5'000'000;
	std::string mix_name = "typical", rules_path, out_path = "/dev/null";
	std::vector<std::string> sigma_paths;
	bool alerts_only = false;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--records" && i + 1 < argc)
			records = std::strtoull(argv[++i], nullptr, 10);
		else if (a == "--mix" && i + 1 < argc)
			mix_name = argv[++i];
		else if (a == "--rules" && i + 1 < argc)
			rules_path = argv[++i];
		else if (a == "--sigma" && i + 1 < argc)
			sigma_paths.push_back(argv[++i]);
		else if (a == "--out" && i + 1 < argc)
			out_path = argv[++i];
		else if (a == "--alerts-only")
			alerts_only = true;
		else {
			std::fprintf(stderr, "usage: engine_bench [--records N] [--mix typical|alerts] [--rules FILE] [--sigma PATH]... "
					     "[--alerts-only] [--out FILE]\n");
			return 2;
		}
	}
	if (mix_name != "typical" && mix_name != "alerts") {
		std::fprintf(stderr, "engine_bench: --mix is typical or alerts\n");
		return 2;
	}
	auto pool = mix_name == "typical" ? typical_mix() : record_mix();

	rules::LoadedRules loaded;
	try {
		loaded = rules_path.empty() ? rules::load_default_rules() : rules::load_rules_file(rules_path);
		if (!sigma_paths.empty())
			sigma::add_sigma_paths(loaded, sigma_paths, {});
	} catch (const Error &e) {
		std::fprintf(stderr, "engine_bench: %s\n", e.what());
		return 2;
	}
	int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out_fd < 0) {
		std::fprintf(stderr, "engine_bench: open %s: %s\n", out_path.c_str(), std::strerror(errno));
		return 2;
	}
	BatchWriter out(out_fd, 1 << 20);
	// What the agent pays before its first event: constructing the engine
	// (the process table at the agent's default capacity) and the memory
	// that makes resident.
	long rss_before = rss_kib();
	auto built = std::chrono::steady_clock::now();
	FakeCgroupPaths cgroup_paths; // the agent's cache, fed made-up paths (synthetic/fake_cgroups.h)
	Pipeline pipeline(out, 1'700'000'000'000'000'000, {alerts_only, 32768, &cgroup_paths});
	double construct_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - built).count();
	long construct_rss_kib = rss_kib() - rss_before;
	pipeline.set_rules(std::move(loaded.set));
	for (auto &r : pool) // warm-up
		pipeline.on_record(r);

	// Per core: the CPU time this thread used, so other load on the machine
	// does not count against the engine (wall time is printed too).
	auto cpu_now = [] {
		struct timespec ts;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
		return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
	};
	double cpu_start = cpu_now();
	auto start = std::chrono::steady_clock::now();
	size_t bytes_in = 0;
	for (size_t i = 0; i < records; i++) {
		auto &r = pool[i % pool.size()];
		if (i % pool.size() == 0) {
			size_t round = i / pool.size();
			for (auto &x : pool) { // a new process generation each round of the mix
				set_pid(x, 10000 + static_cast<uint32_t>(round) % 60000);
				// in one of 16 cgroups: services and containers, each resolved once
				set_cgroup(x, (round % 2 ? container_cgroup_base : 2) + round % 8);
			}
		}
		bytes_in += r.size();
		pipeline.on_record(r);
	}
	out.flush();
	double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	double s = cpu_now() - cpu_start;
	double rate = double(records) / s;
	uint64_t alerts = pipeline.stats().alerts;
	std::printf("engine_bench: mix=%s rules=%s %zu records in %.3f s of CPU (%.3f s wall): %.0f records/s on one core "
		    "(%.0f ns/record), %llu alerts, %.1f MB/s JSON out\n",
		    mix_name.c_str(), rules_path.empty() ? "default" : rules_path.c_str(), records, s, wall, rate, 1e9 / rate,
		    static_cast<unsigned long long>(alerts), double(out.bytes_written()) / s / 1e6);
	std::printf("engine_bench: constructing the pipeline (process table of 32768) took %.3f ms and %ld KiB of RSS\n",
		    construct_ms, construct_rss_kib);
	std::printf("{\"bench\":\"engine\",\"mix\":\"%s\",\"records\":%zu,\"cpu_seconds\":%.6f,\"records_per_sec\":%.0f,"
		    "\"ns_per_record\":%.1f,\"alerts\":%llu,\"bytes_out\":%llu,\"bytes_in\":%zu,"
		    "\"construct_ms\":%.3f,\"construct_rss_kib\":%ld}\n",
		    mix_name.c_str(), records, s, rate, 1e9 / rate, static_cast<unsigned long long>(alerts),
		    static_cast<unsigned long long>(out.bytes_written()), bytes_in, construct_ms, construct_rss_kib);
	::close(out_fd);
	return 0;
}
