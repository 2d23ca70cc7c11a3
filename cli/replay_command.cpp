// SPDX-License-Identifier: GPL-2.0-or-later
// guard replay FILE: a recording (guard record) through the engine, no root
// needed: same rules, same output as the live agent. --stats measures the
// engine (records per second through decode, match, format, write).
#include <CLI/CLI.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "engine/batch_writer.h"
#include "engine/health.h"
#include "engine/output_file.h"
#include "engine/pipeline.h"
#include "engine/record_file.h"
#include "rules/rules_file.h"

namespace guard {

namespace {

struct ReplayOptions {
	std::string file;
	std::string rules_path;
	std::string output_path;
	bool alerts_only = false;
	bool stats = false;
	bool health = false;
	unsigned repeat = 1;
};

int run_replay(const ReplayOptions &o)
{
	rules::LoadedRules loaded;
	try {
		loaded = o.rules_path.empty() ? rules::load_default_rules() : rules::load_rules_file(o.rules_path);
	} catch (const rules::RulesFileError &e) {
		std::fprintf(stderr, "guard: %s\n", e.what());
		return 2;
	}
	try {
		RecordFile recording = RecordFile::load(o.file);
		if (!recording.cut_short().empty())
			std::fprintf(stderr, "guard: replay %s\n", recording.cut_short().c_str());
		OutputFile output({o.output_path, 0, 0});
		BatchWriter writer(output.fd(), 1 << 20);
		Pipeline pipeline(writer, recording.boot_to_unix_ns(), {o.alerts_only, 32768});
		pipeline.set_rules(std::move(loaded.set));

		auto start = std::chrono::steady_clock::now();
		for (unsigned i = 0; i < o.repeat; i++)
			recording.for_each([&](std::span<const uint8_t> r) { pipeline.on_record(r); });
		if (o.health) {
			HealthSources sources;
			sources.rules_source = loaded.source;
			write_health(pipeline, sources, 0, true);
		}
		if (!writer.flush()) {
			if (writer.last_error() == EPIPE && o.output_path.empty())
				return 0; // the reader of stdout went away (guard replay | head)
			throw Error(errno_message("write output", writer.last_error()));
		}
		auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		if (o.stats) {
			uint64_t n = pipeline.stats().records;
			std::fprintf(stderr,
				     "guard replay: %llu records in %.3f s: %.0f records/s on one core; %llu alerts, %llu bytes out\n",
				     static_cast<unsigned long long>(n), elapsed, elapsed > 0 ? double(n) / elapsed : 0.0,
				     static_cast<unsigned long long>(pipeline.stats().alerts),
				     static_cast<unsigned long long>(writer.bytes_written()));
		}
		return 0;
	} catch (const Error &e) {
		std::fprintf(stderr, "guard: replay %s\n", e.what());
		return 1;
	}
}

} // namespace

Subcommand add_replay_command(CLI::App &app)
{
	auto o = std::make_shared<ReplayOptions>();
	auto *replay = app.add_subcommand("replay", "Run a recording (guard record FILE) through the engine; no root needed");
	replay->add_option("FILE", o->file, "The recording")->required();
	replay->add_option("--rules", o->rules_path, "Rules from FILE instead of the built-in defaults")->option_text("FILE");
	replay->add_option("-o,--output", o->output_path, "Write lines to FILE (mode 0600, appended) instead of stdout")
		->option_text("FILE");
	replay->add_flag("--alerts-only", o->alerts_only, "Write alert records only");
	replay->add_flag("--health", o->health, "End with a health record");
	replay->add_flag("--stats", o->stats, "Print records per second on stderr (the engine benchmark)");
	replay->add_option("--repeat", o->repeat, "Replay the recording N times (for --stats)")
		->option_text("N")
		->check(CLI::Range(1u, 1000000u));
	return {replay, [o]() { return run_replay(*o); }};
}

} // namespace guard
