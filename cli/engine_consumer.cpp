// SPDX-License-Identifier: GPL-2.0-or-later
// The consumers behind the agent's ring loop: the engine itself, and the raw
// recorder of `guard record`.
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/error.h"
#include "cli/counted.h"
#include "cli/engine_options.h"
#include "cli/rules_reloader.h"
#include "engine/batch_writer.h"
#include "engine/forwarder.h"
#include "engine/host_identity.h"
#include "engine/json_writer.h"
#include "engine/output_file.h"
#include "engine/output_pace.h"
#include "engine/pipeline.h"
#include "engine/record_file.h"
#include "rules/rules_file.h"
#include "sigma/with_rules.h"

namespace guard {

namespace {

constexpr size_t kOutputBuffer = 1 << 20;
// Bytes of a failed reload's reason kept in its reload record.
constexpr size_t kReloadErrorMax = 16384;
// How often the output file is looked at (deleted under us?).
constexpr std::chrono::seconds kOutputCheck{1};
// At exit, how long the forwarders may take to send what they hold.
constexpr std::chrono::milliseconds kFinalForward{2000};
// At exit, how long the reader of stdout may take to read what waits.
constexpr std::chrono::milliseconds kExitWait{500};
constexpr size_t kMaxForwarders = 16; // each has a health entry of ~400 bytes

rules::LoadedRules load_rules(const EngineConfig &config)
{
	rules::RulesFilePolicy policy{!config.allow_untrusted_rules, config.allow_no_rules};
	rules::LoadedRules loaded =
		config.rules_path.empty() ? rules::load_default_rules() : rules::load_rules_file(config.rules_path, policy);
	if (!config.sigma_paths.empty()) {
		sigma::Report report = sigma::add_sigma_paths(loaded, config.sigma_paths, policy);
		std::fprintf(stderr, "guard: %s\n", sigma::summary(report).c_str());
	}
	return loaded;
}

// The first load, on the reloader's thread like every later one, while this
// thread watches for a stop signal. Throws RulesFileError, StopRequested.
rules::LoadedRules first_load(RulesReloader &reloader, AgentSignals &signals)
{
	reloader.request();
	for (;;) {
		struct pollfd fds[2] = {{reloader.ready_fd(), POLLIN, 0}, {signals.fd(), POLLIN, 0}};
		if (::poll(fds, 2, -1) < 0 && errno != EINTR)
			fail(errno_message("poll", errno));
		if (std::optional<RulesLoad> r = reloader.take()) {
			if (!r->loaded && r->bad_file)
				throw rules::RulesFileError(r->error);
			if (!r->loaded)
				fail(r->error);
			return std::move(*r->loaded);
		}
		signals.stop_if_asked();
	}
}

uint64_t total_kernel_drops(const HealthSources &sources)
{
	KernelDrops d;
	if (sources.kernel_drops)
		sources.kernel_drops(d);
	uint64_t n = 0;
	for (uint64_t k : d.by_kind)
		n += k;
	return n;
}

// The output's state on stderr when it changes: failing (once), written
// again (with what was lost meanwhile), and what could not be written at exit.
class OutputReporter {
public:
	explicit OutputReporter(std::string name) : name_(std::move(name)) {}

	void after_flush(const BatchWriter &w, bool ok)
	{
		auto now = std::chrono::steady_clock::now();
		if (!ok && !failing_) {
			failing_ = true;
			since_ = now;
			lines_ = w.lost_lines();
			bytes_ = w.lost_bytes();
			std::fprintf(stderr,
				     "guard: write %s: %s: keeping what was not written (up to %zu KiB) and trying again "
				     "after each batch; lines that do not fit are counted as lost\n",
				     name_.c_str(), std::strerror(w.last_error()), kOutputBuffer / 1024);
		} else if (ok && failing_) {
			failing_ = false;
			std::fprintf(stderr, "guard: %s written again after %.1f s; %" PRIu64 " lines (%" PRIu64 " bytes) lost meanwhile\n",
				     name_.c_str(), std::chrono::duration<double>(now - since_).count(), w.lost_lines() - lines_,
				     w.lost_bytes() - bytes_);
		}
	}

	// The last flush: false, and said, when what waits is given up.
	bool at_exit(BatchWriter &w)
	{
		// A reader behind (a full pipe) has kExitWait to take the rest.
		auto until = std::chrono::steady_clock::now() + kExitWait;
		while (!w.flush() && w.sink_full() && std::chrono::steady_clock::now() < until) {
			struct pollfd p {w.fd(), POLLOUT, 0};
			::poll(&p, 1, 10);
		}
		if (!w.failing())
			return true;
		uint64_t abandoned = w.abandon();
		std::fprintf(stderr, "guard: write %s: %s at exit: %" PRIu64 " lines (%" PRIu64 " bytes) could not be written, the last %" PRIu64
				     " of them (the final health record among them) still waiting\n",
			     name_.c_str(), std::strerror(w.last_error()), w.lost_lines(), w.lost_bytes(), abandoned);
		return false;
	}

private:
	std::string name_;
	bool failing_ = false;
	std::chrono::steady_clock::time_point since_;
	uint64_t lines_ = 0, bytes_ = 0;
};

class EngineConsumer : public RecordConsumer {
public:
	EngineConsumer(const EngineConfig &config, std::unique_ptr<RulesReloader> reloader, rules::LoadedRules loaded,
		       OutputOptions output, const HostIdentity &host)
		: config_(config), reloader_(std::move(reloader)), output_(std::move(output)),
		  writer_(output_.fd(), kOutputBuffer), reporter_(output_.is_file() ? "output " + output_.path() : "stdout"),
		  pipeline_(writer_, boot_to_unix_offset_ns(),
			    {config.alerts_only, config.process_capacity, cgroup_fs_.open() ? &cgroup_fs_ : nullptr, true,
			     prefiltered_kinds(config)}),
		  started_(std::chrono::steady_clock::now()), next_health_(started_ + interval()),
		  next_output_check_(started_ + kOutputCheck)
	{
		sources_.rules_source = loaded.source;
		sources_.boot_id = host.boot_id;
		if (config.host_fields)
			pipeline_.set_host_fields(host_fields_json(host));
		start_forwarders(host);
		pipeline_.set_rules(std::move(loaded.set));
	}

	void start() override
	{
		size_t seeded = pipeline_.processes().seed_from_proc();
		std::fprintf(stderr, "guard: %s from %s; %s from /proc\n",
			     counted(pipeline_.rules()->rules.size(), "rule", "rules").c_str(),
			     rules::printable(sources_.rules_source).c_str(), counted(seeded, "process", "processes").c_str());
	}

	void on_record(std::span<const uint8_t> record) override { pipeline_.on_record(record); }

	bool batch_full() const override { return OutputPace::batch_full(writer_); }
	bool output_waits(std::chrono::steady_clock::time_point now) const override { return pace_.reader_behind(now); }
	int output_fd() const override { return writer_.fd(); }

	void after_batch() override
	{
		pipeline_.exe_hashes().exchange();
		// The kernel's tables follow the watched files, and are made again
		// every watched_files_period regardless: a directory the
		// prefilter watches by identity may have been replaced.
		auto now = std::chrono::steady_clock::now();
		if (pipeline_.refresh_watched_files(now) || now >= next_tables_) {
			next_tables_ = now + Pipeline::watched_files_period;
			refresh_kernel_tables();
		}
		bool ok = writer_.flush();
		if (!ok && writer_.last_error() == EPIPE && !output_.is_file())
			throw OutputClosed{};
		pace_.after_flush(writer_, now);
		reporter_.after_flush(writer_, ok || pace_.reader_behind(now));
		if (ok && !output_.after_flush(writer_))
			std::fprintf(stderr, "guard: %s\n", output_.error().c_str());
		sources_.output_rotations = output_.rotations();
	}

	// SIGHUP: the rules are read and compiled on the reloader's thread (the
	// result is installed by tick); the output file is reopened by name.
	void on_hangup() override
	{
		reloader_->request();
		after_batch();
		if (!output_.reopen(writer_))
			std::fprintf(stderr, "guard: %s\n", output_.error().c_str());
		after_batch();
	}

	void tick(std::chrono::steady_clock::time_point now) override
	{
		if (std::optional<RulesLoad> r = reloader_->take())
			install(*r);
		// Hashes finished on a quiet host reach the table without a batch.
		pipeline_.exe_hashes().exchange();
		if (now >= next_output_check_) {
			next_output_check_ = now + kOutputCheck;
			if (output_.newly_deleted())
				std::fprintf(stderr, "guard: output %s was deleted; lines go to the deleted file until SIGHUP "
						     "reopens it (its directory is made again if it went too)\n",
					     output_.path().c_str());
		}
		if (config_.health_interval_s == 0 || now < next_health_)
			return;
		next_health_ = now + interval();
		write_health(pipeline_, sources_, uptime_ns(now), false);
		after_batch();
	}

	bool finish() override
	{
		write_health(pipeline_, sources_, uptime_ns(std::chrono::steady_clock::now()), true);
		bool ok = reporter_.at_exit(writer_);
		stop_forwarders();
		print_stats();
		return ok;
	}

	void print_stats() override
	{
		const PipelineStats &p = pipeline_.stats();
		AgentStats s;
		s.events = p.records;
		s.drops = total_kernel_drops(sources_);
		s.alerts = p.alerts;
		for (uint64_t n : p.decode_errors)
			s.decode_errors += n;
		s.lost_lines = writer_.lost_lines();
		s.lost_bytes = writer_.lost_bytes();
		s.reloads = sources_.reloads;
		s.reload_failures = sources_.reload_failures;
		std::fprintf(stderr, "guard: %s\n", stats_line(s).c_str());
	}

	void set_kernel_tables(std::function<void(const RuleSet &)> install) override
	{
		install(*pipeline_.rules());
		install_kernel_tables_ = std::move(install);
	}

	void set_health_sources(HealthSources s) override
	{
		s.rules_source = sources_.rules_source;
		s.boot_id = sources_.boot_id;
		s.forwarding = sources_.forwarding;
		sources_ = std::move(s);
	}

private:
	// Every line the writer takes goes to each forwarder too (batch_writer.h,
	// set_tap): a failing file does not starve them, nor they it.
	void start_forwarders(const HostIdentity &host)
	{
		std::vector<ForwardTarget> targets;
		for (const std::string &url : config_.syslog_urls)
			targets.push_back(parse_syslog_url(url));
		if (config_.journald)
			targets.push_back(journald_target());
		if (targets.size() > kMaxForwarders)
			fail("at most " + std::to_string(kMaxForwarders) + " --syslog and --journald outputs, got " +
			     std::to_string(targets.size()));
		if (targets.empty())
			return;
		SyslogIdentity identity = syslog_identity(host.hostname, ::getpid());
		for (ForwardTarget &t : targets)
			forwarders_.push_back(std::make_unique<Forwarder>(std::move(t), identity, config_.forward_queue_bytes));
		writer_.set_tap([this](std::string_view lines) {
			for (auto &f : forwarders_)
				f->push(lines);
		});
		sources_.forwarding = [this] {
			std::vector<ForwardStats> all;
			for (auto &f : forwarders_)
				all.push_back(f->stats());
			return all;
		};
	}

	// At exit, after the last flush: what each could send, and what it could not.
	void stop_forwarders()
	{
		auto deadline = std::chrono::steady_clock::now() + kFinalForward;
		for (auto &f : forwarders_) {
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
			f->stop(std::max(left, std::chrono::milliseconds(0)));
			ForwardStats s = f->stats();
			std::fprintf(stderr,
				     "guard: %s: emitted=%" PRIu64 " sent=%" PRIu64 " dropped=%" PRIu64 " (queue_full=%" PRIu64
				     " unsendable=%" PRIu64 " at_exit=%" PRIu64 ") connects=%" PRIu64 "\n",
				     s.name.c_str(), s.emitted, s.sent, s.dropped(), s.dropped_queue_full, s.dropped_unsendable,
				     s.dropped_at_exit, s.connects);
		}
	}

	// A kill rule's or the prefilter's file replaced (renamed over,
	// recreated): its new identity into the kernel, as the watched files'
	// (the tables write only what changed). A failure keeps the tables as
	// they were.
	void refresh_kernel_tables()
	{
		if (!install_kernel_tables_)
			return;
		try {
			install_kernel_tables_(*pipeline_.rules());
		} catch (const Error &e) {
			std::fprintf(stderr, "guard: %s\n", e.what());
		}
	}

	std::chrono::seconds interval() const { return std::chrono::seconds(config_.health_interval_s); }
	int64_t uptime_ns(std::chrono::steady_clock::time_point now) const
	{
		return std::chrono::duration_cast<std::chrono::nanoseconds>(now - started_).count();
	}

	// A finished reload: swapped in between two records (or the old rules
	// kept), and said in the output and on stderr.
	void install(RulesLoad &r)
	{
		std::string name = config_.rules_path.empty() ? "the default rules" : config_.rules_path;
		// A string byte costs at most 8 in the line (escaped, and its _hex twin).
		JsonWriter w(writer_.reserve(8 * (kReloadErrorMax + PATH_MAX) + 1024));
		w.field_literal("type", "reload");
		struct timespec now {};
		clock_gettime(CLOCK_REALTIME, &now);
		w.field_time("time", int64_t(now.tv_sec) * 1000000000 + now.tv_nsec);
		if (!pipeline_.host_fields().empty())
			w.raw_fields(pipeline_.host_fields());
		w.field_string("rules", name);
		if (r.loaded && install_kernel_tables_) {
			try {
				install_kernel_tables_(*r.loaded->set);
			} catch (const Error &e) {
				r.error = e.what();
				r.loaded.reset();
				// The prefilter's tables may have taken the refused set's:
				// back to the rules that stay.
				refresh_kernel_tables();
			}
		}
		if (r.loaded) {
			size_t n = r.loaded->set->rules.size();
			reloader_->dispose(pipeline_.set_rules(std::move(r.loaded->set)));
			sources_.reloads++;
			w.field_bool("ok", true);
			w.field_uint("count", n);
			std::fprintf(stderr, "guard: reloaded %s from %s in %.0f ms\n", counted(n, "rule", "rules").c_str(),
				     rules::printable(r.loaded->source).c_str(), r.seconds * 1000);
		} else {
			sources_.reload_failures++;
			std::string message = r.error;
			if (message.size() > kReloadErrorMax)
				message.resize(kReloadErrorMax);
			w.field_bool("ok", false);
			w.field_string("error", message);
			std::fprintf(stderr, "guard: reload failed, the previous rules stay: %s\n", r.error.c_str());
		}
		writer_.commit(w.finish());
		after_batch();
	}

	EngineConfig config_;
	std::unique_ptr<RulesReloader> reloader_;
	OutputFile output_;
	BatchWriter writer_;
	OutputReporter reporter_;
	OutputPace pace_;
	CgroupFs cgroup_fs_; // the cgroup2 mount, for the paths of cgroup ids (engine/cgroup_cache.h)
	Pipeline pipeline_;
	HealthSources sources_;
	std::chrono::steady_clock::time_point started_, next_health_, next_output_check_, next_tables_;
	std::vector<std::unique_ptr<Forwarder>> forwarders_; // stopped before the writer goes
	std::function<void(const RuleSet &)> install_kernel_tables_;
};

// Under sudo, the recording belongs to the user who ran sudo (SUDO_UID,
// SUDO_GID), so that `guard replay` needs no root; its mode stays 0600.
void give_to_sudo_user(int fd, const std::string &path)
{
	const char *uid = std::getenv("SUDO_UID"), *gid = std::getenv("SUDO_GID");
	if (!uid || !gid || ::geteuid() != 0)
		return;
	char *uid_end = nullptr, *gid_end = nullptr;
	unsigned long u = std::strtoul(uid, &uid_end, 10), g = std::strtoul(gid, &gid_end, 10);
	if (*uid == '\0' || *uid_end != '\0' || *gid == '\0' || *gid_end != '\0')
		fail("SUDO_UID=" + std::string(uid) + " SUDO_GID=" + std::string(gid) + ": expected numeric ids");
	if (::fchown(fd, static_cast<uid_t>(u), static_cast<gid_t>(g)) != 0)
		fail(errno_message("give " + path + " to SUDO_UID " + uid, errno));
}

class Recorder : public RecordConsumer {
public:
	explicit Recorder(const std::string &path)
		: output_({path, 0, 0}), writer_(output_.fd(), kOutputBuffer, scan_frames), reporter_("recording " + path),
		  started_(std::chrono::steady_clock::now())
	{
		give_to_sudo_user(output_.fd(), path);
		write_record_file_header(output_.fd(), boot_to_unix_offset_ns());
	}
	void on_record(std::span<const uint8_t> record) override
	{
		if (record.size() > GUARD_RECORD_MAX)
			return;
		events_++;
		append_record(writer_, record);
	}
	void after_batch() override { reporter_.after_flush(writer_, writer_.flush()); }
	// What was recorded, for the person who will replay it.
	bool finish() override
	{
		bool ok = reporter_.at_exit(writer_);
		double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
		std::fprintf(stderr, "guard: recorded %s (%s) in %.1f s to %s; guard replay %s reads them\n",
			     counted(events_, "record", "records").c_str(),
			     counted(writer_.bytes_written(), "byte", "bytes").c_str(), seconds, output_.path().c_str(),
			     output_.path().c_str());
		print_stats();
		return ok;
	}
	void print_stats() override
	{
		AgentStats s;
		s.events = events_;
		s.drops = total_kernel_drops(sources_);
		s.lost_lines = writer_.lost_lines();
		s.lost_bytes = writer_.lost_bytes();
		std::fprintf(stderr, "guard: %s\n", stats_line(s).c_str());
	}
	void set_health_sources(HealthSources s) override { sources_ = std::move(s); }

private:
	OutputFile output_;
	BatchWriter writer_;
	OutputReporter reporter_;
	HealthSources sources_;
	std::chrono::steady_clock::time_point started_;
	uint64_t events_ = 0;
};

} // namespace

std::string stats_line(const AgentStats &s)
{
	char buf[512];
	std::snprintf(buf, sizeof(buf),
		      "events=%" PRIu64 " drops=%" PRIu64 " alerts=%" PRIu64 " decode_errors=%" PRIu64 " lost_lines=%" PRIu64
		      " lost_bytes=%" PRIu64 " reloads=%" PRIu64 " reload_failures=%" PRIu64,
		      s.events, s.drops, s.alerts, s.decode_errors, s.lost_lines, s.lost_bytes, s.reloads, s.reload_failures);
	return buf;
}

std::unique_ptr<RecordConsumer> make_engine_consumer(const EngineConfig &config, const std::string &output_path,
						     AgentSignals &signals)
{
	auto reloader = std::make_unique<RulesReloader>([config] { return load_rules(config); });
	rules::LoadedRules loaded = first_load(*reloader, signals);
	OutputOptions output{output_path, config.rotate_bytes, config.rotate_keep};
	if (output.path.empty() && loaded.output && loaded.output->to_file)
		output.path = loaded.output->path;
	HostIdentity host = read_host_identity();
	if (config.host_fields && host.machine_id.empty())
		std::fprintf(stderr, "guard: /etc/machine-id is missing or holds no machine id (32 hex digits): lines "
				     "carry the hostname only\n");
	return std::make_unique<EngineConsumer>(config, std::move(reloader), std::move(loaded), std::move(output), host);
}

std::unique_ptr<RecordConsumer> make_recorder(const std::string &path) { return std::make_unique<Recorder>(path); }

} // namespace guard
