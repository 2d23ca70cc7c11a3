// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/health.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "engine/json_writer.h"

namespace guard {

namespace {

uint64_t resident_bytes()
{
	int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[128] = {};
	ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
	::close(fd);
	unsigned long size = 0, resident = 0;
	if (n <= 0 || std::sscanf(buf, "%lu %lu", &size, &resident) != 2)
		return 0;
	return uint64_t(resident) * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

uint64_t micros(const struct timeval &tv) { return uint64_t(tv.tv_sec) * 1000000 + uint64_t(tv.tv_usec); }

void error_field(JsonWriter &w, int err)
{
	const char *name = err ? strerrorname_np(err) : nullptr;
	if (name) {
		w.field_literal("error", name);
	} else {
		w.key("error");
		w.field_literal_value("null");
	}
}

// Per forwarder: emitted = sent + dropped + queued (forwarder.h).
void write_forwarding(JsonWriter &w, const std::vector<ForwardStats> &all)
{
	w.begin_array("forward");
	for (const ForwardStats &f : all) {
		w.begin_element_object();
		w.field_string("output", f.name);
		w.field_bool("connected", f.connected);
		w.field_uint("connects", f.connects);
		w.field_uint("emitted", f.emitted);
		w.field_uint("sent", f.sent);
		w.field_uint("queued", f.queued);
		w.field_uint("queued_bytes", f.queued_bytes);
		w.field_uint("dropped", f.dropped());
		w.field_uint("dropped_queue_full", f.dropped_queue_full);
		w.field_uint("dropped_unsendable", f.dropped_unsendable);
		w.field_uint("dropped_at_exit", f.dropped_at_exit);
		// The last failure's errno ("ECONNREFUSED"), or null.
		error_field(w, f.connected ? 0 : f.last_error);
		w.end_object();
	}
	w.end_array();
}

} // namespace

std::string_view ring_name(uint32_t ring) { return ring == GUARD_RING_FILE ? "file" : "proc_net"; }

void write_health(Pipeline &pipeline, const HealthSources &sources, int64_t uptime_ns, bool final)
{
	const PipelineStats &s = pipeline.stats();
	BatchWriter &out = pipeline.output();
	struct timespec now {};
	clock_gettime(CLOCK_REALTIME, &now);

	JsonWriter w(out.reserve(health_max_bytes));
	w.field_literal("type", "health");
	w.field_time("time", int64_t(now.tv_sec) * 1000000000 + now.tv_nsec);
	if (!pipeline.host_fields().empty())
		w.raw_fields(pipeline.host_fields());
	if (!sources.boot_id.empty())
		w.field_string("boot_id", sources.boot_id);
	w.field_bool("final", final);
	w.field_uint("uptime_ms", static_cast<uint64_t>(uptime_ns / 1000000));
	w.field_uint("records", s.records);
	w.begin_object("events");
	for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++)
		w.field_uint(record_kind_name(k), s.events_by_kind[k]);
	w.end_object();

	KernelDrops drops;
	if (sources.kernel_drops)
		sources.kernel_drops(drops);
	if (drops.available) {
		w.begin_object("kernel_drops");
		for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++)
			w.field_uint(record_kind_name(k), drops.by_kind[k]);
		w.end_object();
		w.begin_object("filtered");
		for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++)
			w.field_uint(record_kind_name(k), drops.filtered_by_kind[k]);
		w.end_object();
	} else {
		w.key("kernel_drops");
		w.field_literal_value("null");
		w.key("filtered");
		w.field_literal_value("null");
	}

	uint64_t decode_errors = 0;
	for (uint64_t n : s.decode_errors)
		decode_errors += n;
	w.begin_object("userspace_drops");
	w.field_uint("decode_errors", decode_errors);
	w.field_uint("output_lines", out.lost_lines());
	w.field_uint("output_bytes", out.lost_bytes());
	w.field_uint("matches_over_limit", s.matches_over_limit);
	w.end_object();

	RingFill fill[GUARD_RING_COUNT];
	if (sources.ring_fill) {
		sources.ring_fill(fill);
		w.begin_object("rings");
		for (uint32_t ring = 0; ring < GUARD_RING_COUNT; ring++) {
			const RingFill &f = fill[ring];
			w.begin_object(ring_name(ring));
			if (f.available) {
				w.field_uint("pending_bytes", f.pending_bytes);
				w.field_uint("size_bytes", f.size_bytes);
				w.field_uint("fill_pct", f.size_bytes ? f.pending_bytes * 100 / f.size_bytes : 0);
			}
			if (drops.available)
				w.field_uint("drops", drops.by_ring[ring]);
			w.end_object();
		}
		w.end_object();
	}

	const ProcessTable &pt = pipeline.processes();
	w.begin_object("process_table");
	w.field_uint("size", pt.size());
	w.field_uint("capacity", pt.capacity());
	w.field_uint("inserts", pt.stats().inserts);
	w.field_uint("evictions", pt.stats().evictions);
	w.field_uint("evicted_live", pt.stats().evicted_live);
	w.end_object();

	// Executables hashed off the hot path (exe_sha256): a full queue is
	// a hash that comes later (or never, for a process gone meanwhile).
	const ExeHashStats &eh = pipeline.exe_hashes().stats();
	w.begin_object("exe_hashes");
	w.field_uint("requested", eh.requested);
	w.field_uint("hashed", eh.hashed);
	w.field_uint("unknown", eh.unknown);
	w.field_uint("queue_full", eh.queue_full);
	w.field_uint("evictions", eh.evictions);
	w.end_object();

	// What the correlation rules (dropper, sequence, threshold) forgot
	// while it still counted: their tables are fixed-size.
	w.begin_object("correlation");
	w.field_uint("evicted", pipeline.rules() ? pipeline.rules()->correlation_evicted() : 0);
	w.end_object();

	// The rules that raised alerts, as many as fit the record (a set may
	// hold 100,000 rules); how many more did is said.
	w.field_uint("alerts_total", s.alerts);
	w.begin_object("alerts");
	uint64_t unlisted = 0;
	size_t listed = 0;
	pipeline.for_each_alert_count([&](std::string_view id, uint64_t n) {
		if (n == 0)
			return;
		if (listed++ < max_alert_counts_listed)
			w.field_uint(id, n);
		else
			unlisted++;
	});
	w.end_object();
	w.field_uint("alerts_unlisted_rules", unlisted);

	w.begin_object("rules");
	w.field_string("source", sources.rules_source);
	w.field_uint("count", pipeline.rules() ? pipeline.rules()->rules.size() : 0);
	w.field_uint("reloads", sources.reloads);
	w.field_uint("reload_failures", sources.reload_failures);
	w.end_object();

	w.begin_object("output");
	w.field_uint("bytes", out.bytes_written());
	w.field_uint("writes", out.writes());
	w.field_uint("rotations", sources.output_rotations);
	w.field_uint("write_errors", out.write_errors());
	w.field_uint("pending_bytes", out.pending_bytes());
	// The error the output is failing with now ("ENOSPC"), or null.
	const char *error = out.failing() ? strerrorname_np(out.last_error()) : nullptr;
	if (error) {
		w.field_literal("error", error);
	} else {
		w.key("error");
		w.field_literal_value("null");
	}
	w.end_object();

	if (sources.forwarding)
		write_forwarding(w, sources.forwarding());

	struct rusage ru {};
	getrusage(RUSAGE_SELF, &ru);
	w.field_uint("cpu_user_us", micros(ru.ru_utime));
	w.field_uint("cpu_system_us", micros(ru.ru_stime));
	w.field_uint("rss_bytes", resident_bytes());
	w.field_uint("max_rss_bytes", uint64_t(ru.ru_maxrss) * 1024);
	out.commit(w.finish());
}

} // namespace guard
