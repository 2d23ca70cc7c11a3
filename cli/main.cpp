// SPDX-License-Identifier: GPL-2.0-or-later
// guard: a Linux endpoint detection agent. main() reads the command line and
// hands over to the agent; the work is in loader/, engine/ and rules/.
#include <CLI/CLI.hpp>

#include <signal.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "base/error.h"
#include "cli/agent.h"
#include "cli/commands.h"
#include "cli/detach.h"
#include "loader/families.h"
#include "cli/manual.h"
#include "cli/obj_command.h"

#ifndef GUARD_VERSION
#define GUARD_VERSION "0.1.0"
#endif

namespace {

// A ring's size in pages: a power of two (the kernel's rule for a ring
// buffer's size) from 8 (32 KiB, twice the largest record) to 262144 (1 GiB).
CLI::Validator ring_pages_check(const std::string &option)
{
	return CLI::Validator(
		[option](std::string &s) {
			unsigned long n = 0;
			auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), n);
			bool ok = err == std::errc() && end == s.data() + s.size() && n >= 8 && (n & (n - 1)) == 0 &&
				  n <= (1ul << 18);
			return ok ? std::string() : option + " must be a power of two from 8 to 262144, got " + s;
		},
		"POWER_OF_TWO");
}

// guard help [COMMAND...]: what guard [COMMAND...] --help prints. Looked up
// before parsing, since CLI11 would take a command's name after `help` as
// that command itself.
int print_help(const CLI::App &app, const std::vector<std::string> &topic)
{
	const CLI::App *shown = &app;
	std::string path;
	for (const std::string &name : topic) {
		path += (path.empty() ? "" : " ") + shown->get_name();
		try {
			shown = shown->get_subcommand(name);
		} catch (const CLI::OptionNotFound &) {
			std::fprintf(stderr, "guard help: no command \"%s\"; guard --help lists them\n", name.c_str());
			return 2;
		}
	}
	std::fputs(shown->help(path).c_str(), stdout);
	return 0;
}

// The agent's options (before any command) mean nothing to rules, replay
// or obj: say so rather than ignore them (replay has its own --rules).
bool agent_options_given(const CLI::App &app, const CLI::App &command)
{
	for (const CLI::Option *o : app.get_options())
		if (o->count() > 0) {
			std::fprintf(stderr, "guard: %s is an option of the agent (guard, guard record), not of guard %s%s\n",
				     o->get_name().c_str(), command.get_name().c_str(),
				     command.get_option_no_throw(o->get_name()) ? "; give it after the command's name" : "");
			return true;
		}
	return false;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc > 0 && std::string_view(argv[0]) == guard::detach_helper_name)
		return guard::run_detach_helper();
	guard::AgentOptions options;
	options.started = std::chrono::steady_clock::now();
	// A closed stdout is EPIPE, which each command handles, not a silent death.
	::signal(SIGPIPE, SIG_IGN);

	CLI::App app{"guard: watches what processes do on this host (executions, file access, network connections) "
		     "from the kernel with eBPF and writes one JSON object per line.",
		     "guard"};
	// --help shows every option's default; commands inherit this.
	app.option_defaults()->always_capture_default();
	app.formatter(guard::help_formatter());
	app.set_version_flag("--version", "guard " GUARD_VERSION);
	app.add_option("-o,--output", options.output_path, "Write events to FILE (mode 0600, appended) instead of stdout")
		->option_text("FILE");
	app.add_option("--file-ring-pages,--ring-pages", options.ring_pages.pages[GUARD_RING_FILE],
		       "Size of the ring of file records in pages (a power of two)")
		->option_text("N")
		->check(ring_pages_check("--ring-pages"));
	app.add_option("--proc-net-ring-pages", options.ring_pages.pages[GUARD_RING_PROC_NET],
		       "Size of the ring of process and network records in pages (a power of two)")
		->option_text("N")
		->check(ring_pages_check("--proc-net-ring-pages"));
	app.add_option("--disable", options.disabled_families,
		       "Do not load the programs of an event family: " + guard::event_family_names())
		->option_text("FAMILY")
		->check(CLI::IsMember(guard::event_family_list()));
	guard::add_engine_options(app, options.engine);
	guard::Subcommand rules = guard::add_rules_command(app);
	guard::Subcommand replay = guard::add_replay_command(app);
	guard::Subcommand obj = guard::add_obj_command(app);
	auto *record = app.add_subcommand("record", "Save raw records to FILE (with a header) for guard replay, instead of "
						    "running the engine; takes the agent's options too");
	record->add_option("FILE", options.record_path, "The recording to write (mode 0600; under sudo, the sudo user's)")
		->required();
	record->fallthrough(); // guard record FILE --disable network: the agent's options follow
	auto *help = app.add_subcommand("help", "Print this help, a command's (guard help rules check), or the manual");
	std::vector<std::string> help_topic;
	bool man = false;
	help->add_option("COMMAND", help_topic, "The command to describe")->type_name("NAME")->default_str("");
	help->add_flag("--man", man, "Print the manual guard(8) in roff (what man guard shows)");
	auto *version = app.add_subcommand("version", "Print guard's version (as --version does)");
	app.footer(guard::help_footer()); // after the commands, which would inherit it
	if (argc >= 2 && std::string_view(argv[1]) == "help" && std::find(argv, argv + argc, std::string_view("--man")) == argv + argc)
		return print_help(app, std::vector<std::string>(argv + 2, argv + argc));
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		// --help and --version exit 0; a bad command line exits 2, as usage errors do.
		return app.exit(e) == 0 ? 0 : 2;
	}

	if (help->parsed()) {
		if (!man)
			return print_help(app, help_topic);
		std::fputs(guard::man_page(app, GUARD_VERSION).c_str(), stdout);
		return 0;
	}
	if (version->parsed()) {
		std::puts("guard " GUARD_VERSION);
		return 0;
	}
	for (const guard::Subcommand &c : {rules, replay, obj})
		if (c.app->parsed())
			return agent_options_given(app, *c.app) ? 2 : c.run();
	return guard::run_agent(options);
}
