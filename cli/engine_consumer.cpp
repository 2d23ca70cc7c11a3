// SPDX-License-Identifier: GPL-2.0-or-later
// The consumers behind the agent's ring loop: the engine itself, and the raw
// recorder of `guard record`.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "cli/counted.h"
#include "cli/engine_options.h"
#include "engine/batch_writer.h"
#include "engine/json_writer.h"
#include "engine/output_file.h"
#include "engine/pipeline.h"
#include "engine/record_file.h"
#include "loader/error.h"
#include "rules/rules_file.h"

namespace guard {

namespace {

constexpr size_t kOutputBuffer = 1 << 20;

rules::LoadedRules load_rules(const std::string &path)
{
	return path.empty() ? rules::load_default_rules() : rules::load_rules_file(path);
}

// A file named by a rules file's "output" may live in a directory that does
// not exist yet (the seed's ./log/events.jsonl): make it, private.
void make_parent_directory(const std::string &path)
{
	size_t slash = path.rfind('/');
	if (slash == std::string::npos || slash == 0)
		return;
	std::string dir = path.substr(0, slash);
	if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
		fail(errno_message("create output directory " + dir, errno));
}

class EngineConsumer : public RecordConsumer {
public:
	EngineConsumer(const EngineConfig &config, rules::LoadedRules loaded, OutputOptions output)
		: config_(config), output_(std::move(output)), writer_(output_.fd(), kOutputBuffer),
		  pipeline_(writer_, boot_to_unix_offset_ns(), {config.alerts_only, config.process_capacity}),
		  started_(std::chrono::steady_clock::now()), next_health_(started_ + interval())
	{
		sources_.rules_source = loaded.source;
		pipeline_.set_rules(std::move(loaded.set));
	}

	void start() override
	{
		size_t seeded = pipeline_.processes().seed_from_proc();
		std::fprintf(stderr, "guard: %s from %s; %s from /proc\n",
			     counted(pipeline_.rules()->rules.size(), "rule", "rules").c_str(), sources_.rules_source.c_str(),
			     counted(seeded, "process", "processes").c_str());
	}

	void on_record(std::span<const uint8_t> record) override { pipeline_.on_record(record); }

	void after_batch() override
	{
		pipeline_.refresh_watched_files(std::chrono::steady_clock::now());
		if (!writer_.flush()) {
			if (writer_.last_error() == EPIPE && !output_.is_file())
				throw OutputClosed{};
			fail(errno_message("write output", writer_.last_error()));
		}
		if (!output_.after_flush(writer_))
			std::fprintf(stderr, "guard: %s\n", output_.error().c_str());
		sources_.output_rotations = output_.rotations();
	}

	// SIGHUP: new rules compiled aside and swapped in, or the old ones kept;
	// the output file reopened by name.
	void on_hangup() override
	{
		after_batch();
		reload_rules();
		if (!output_.reopen(writer_))
			std::fprintf(stderr, "guard: %s\n", output_.error().c_str());
		after_batch();
	}

	void tick(std::chrono::steady_clock::time_point now) override
	{
		if (config_.health_interval_s == 0 || now < next_health_)
			return;
		next_health_ = now + interval();
		write_health(pipeline_, sources_, uptime_ns(now), false);
		after_batch();
	}

	void finish() override
	{
		write_health(pipeline_, sources_, uptime_ns(std::chrono::steady_clock::now()), true);
		after_batch();
	}

	void set_health_sources(HealthSources s) override
	{
		s.rules_source = sources_.rules_source;
		sources_ = std::move(s);
	}

private:
	std::chrono::seconds interval() const { return std::chrono::seconds(config_.health_interval_s); }
	int64_t uptime_ns(std::chrono::steady_clock::time_point now) const
	{
		return std::chrono::duration_cast<std::chrono::nanoseconds>(now - started_).count();
	}

	void reload_rules()
	{
		std::string name = config_.rules_path.empty() ? "the default rules" : config_.rules_path;
		JsonWriter w(writer_.reserve(16384 + 4096));
		w.field_literal("type", "reload");
		struct timespec now {};
		clock_gettime(CLOCK_REALTIME, &now);
		w.field_time("time", int64_t(now.tv_sec) * 1000000000 + now.tv_nsec);
		w.field_string("rules", name);
		try {
			rules::LoadedRules loaded = load_rules(config_.rules_path);
			size_t n = loaded.set->rules.size();
			pipeline_.set_rules(std::move(loaded.set));
			sources_.reloads++;
			w.field_bool("ok", true);
			w.field_uint("count", n);
			std::fprintf(stderr, "guard: reloaded %s from %s\n", counted(n, "rule", "rules").c_str(), name.c_str());
		} catch (const Error &e) {
			sources_.reload_failures++;
			std::string message = e.what();
			if (message.size() > 16384)
				message.resize(16384);
			w.field_bool("ok", false);
			w.field_string("error", message);
			std::fprintf(stderr, "guard: reload failed, the previous rules stay: %s\n", e.what());
		}
		writer_.commit(w.finish());
	}

	EngineConfig config_;
	OutputFile output_;
	BatchWriter writer_;
	Pipeline pipeline_;
	HealthSources sources_;
	std::chrono::steady_clock::time_point started_, next_health_;
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
		: output_({path, 0, 0}), writer_(output_.fd(), kOutputBuffer), started_(std::chrono::steady_clock::now())
	{
		give_to_sudo_user(output_.fd(), path);
		write_record_file_header(writer_, boot_to_unix_offset_ns());
	}
	void on_record(std::span<const uint8_t> record) override
	{
		if (record.size() > GUARD_RECORD_MAX)
			return;
		append_record(writer_, record);
		records_++;
	}
	void after_batch() override
	{
		if (!writer_.flush())
			fail(errno_message("write recording", writer_.last_error()));
	}
	// What was recorded, for the person who will replay it.
	void finish() override
	{
		after_batch();
		double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
		std::fprintf(stderr, "guard: recorded %s (%s) in %.1f s to %s; guard replay %s reads them\n",
			     counted(records_, "record", "records").c_str(),
			     counted(writer_.bytes_written(), "byte", "bytes").c_str(), seconds, output_.path().c_str(),
			     output_.path().c_str());
	}

private:
	OutputFile output_;
	BatchWriter writer_;
	std::chrono::steady_clock::time_point started_;
	uint64_t records_ = 0;
};

} // namespace

void add_engine_options(CLI::App &app, EngineConfig &config)
{
	app.add_option("--rules", config.rules_path,
		       "Rules from FILE instead of the built-in defaults (guard's format or the mini-EDR config/rules.json)")
		->option_text("FILE");
	app.add_flag("--alerts-only", config.alerts_only, "Write alert records (and health) only, not every event");
	app.add_option("--rotate-size", config.rotate_bytes,
		       "Rotate the output file when it passes BYTES (FILE -> FILE.1 -> ...); 0: never")
		->option_text("BYTES");
	app.add_option("--rotate-keep", config.rotate_keep, "Rotated files to keep")->option_text("N");
	app.add_option("--health-interval", config.health_interval_s,
		       "Write a health record every SECONDS (and at exit); 0: at exit only")
		->option_text("SECONDS");
	app.add_option("--process-table-size", config.process_capacity, "Processes the process table holds")
		->option_text("N")
		->check(CLI::Range(size_t(64), size_t(1) << 22));
}

std::unique_ptr<RecordConsumer> make_engine_consumer(const EngineConfig &config, const std::string &output_path)
{
	rules::LoadedRules loaded = load_rules(config.rules_path);
	OutputOptions output{output_path, config.rotate_bytes, config.rotate_keep};
	if (output.path.empty() && loaded.output && loaded.output->to_file) {
		output.path = loaded.output->path;
		make_parent_directory(output.path);
	}
	return std::make_unique<EngineConsumer>(config, std::move(loaded), std::move(output));
}

std::unique_ptr<RecordConsumer> make_recorder(const std::string &path) { return std::make_unique<Recorder>(path); }

} // namespace guard
