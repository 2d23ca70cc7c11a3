// guard: a Linux endpoint detection agent. main() reads the command line and
// hands over to the agent; the work is in loader/, engine/ and rules/.
#include <CLI/CLI.hpp>

#include <charconv>
#include <chrono>

#include "cli/agent.h"
#include "cli/commands.h"
#include "cli/detach.h"
#include "cli/families.h"
#include "cli/obj_command.h"

#ifndef GUARD_VERSION
#define GUARD_VERSION "0.1.0"
#endif

int main(int argc, char **argv)
{
	if (argc > 0 && std::string_view(argv[0]) == guard::detach_helper_name)
		return guard::run_detach_helper();
	guard::AgentOptions options;
	options.started = std::chrono::steady_clock::now();

	CLI::App app{"guard: watches executions on this host from the kernel with eBPF and writes one JSON "
		     "object per line."};
	app.set_version_flag("--version", "guard " GUARD_VERSION);
	app.add_option("-o,--output", options.output_path, "Write events to FILE (mode 0600, appended) instead of stdout")
		->option_text("FILE");
	app.add_option("--ring-pages", options.ring_pages,
		       "Size of the kernel-to-agent ring buffer in pages (a power of two)")
		->option_text("N")
		->check(CLI::Validator(
			[](std::string &s) {
				unsigned long n = 0;
				auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), n);
				bool ok = err == std::errc() && end == s.data() + s.size() && n >= 8 && (n & (n - 1)) == 0 &&
					  n <= (1ul << 18);
				return ok ? std::string() : "--ring-pages must be a power of two from 8 to 262144, got " + s;
			},
			"POWER_OF_TWO"));
	app.add_option("--disable", options.disabled_families,
		       "Do not load the programs of an event family: " + guard::event_family_names())
		->option_text("FAMILY")
		->check(CLI::IsMember({"process", "file", "network"}));
	guard::add_engine_options(app, options.engine);
	guard::Subcommand rules = guard::add_rules_command(app);
	guard::Subcommand replay = guard::add_replay_command(app);
	guard::Subcommand obj = guard::add_obj_command(app);
	auto *record = app.add_subcommand("record", "Save raw records to FILE (with a header) for guard replay, instead of "
						    "running the engine");
	record->add_option("FILE", options.record_path, "The recording to write (mode 0600)")->required();
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		// --help and --version exit 0; a bad command line exits 2, as usage errors do.
		return app.exit(e) == 0 ? 0 : 2;
	}

	for (const guard::Subcommand &c : {rules, replay, obj})
		if (c.app->parsed())
			return c.run();
	return guard::run_agent(options);
}
