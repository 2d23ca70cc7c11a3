// SPDX-License-Identifier: GPL-2.0-or-later
// The engine's options on the command line, each number range-checked.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "cli/engine_options.h"
#include "engine/forward_target.h"
#include "engine/prefilter_table.h"

namespace guard {

namespace {

// Digits only: CLI11 would take "-5" for an unsigned option as 2^64 - 5.
CLI::Validator unsigned_number(uint64_t max, const std::string &name)
{
	return CLI::Validator(
		[max, name](std::string &s) {
			uint64_t n = 0;
			bool ok = !s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string::npos;
			if (ok) {
				errno = 0;
				n = std::strtoull(s.c_str(), nullptr, 10);
				ok = errno == 0 && n <= max;
			}
			return ok ? std::string() : name + " expects a whole number from 0 to " + std::to_string(max) + ", got " + s;
		},
		"0.." + std::to_string(max));
}

// The URL's whole check (scheme, address, port), as a usage error.
CLI::Validator syslog_url()
{
	return CLI::Validator(
		[](std::string &s) {
			try {
				parse_syslog_url(s);
				return std::string();
			} catch (const Error &e) {
				return std::string(e.what());
			}
		},
		"URL");
}

} // namespace

void add_engine_options(CLI::App &app, EngineConfig &config)
{
	app.add_option("--rules", config.rules_path,
		       "Rules from FILE instead of the built-in defaults (guard's format or the mini-EDR config/rules.json)")
		->option_text("FILE");
	app.add_option("--sigma", config.sigma_paths,
		       "Sigma rules from PATH (a .yml file, or a directory searched recursively), run with guard's rules "
		       "(docs/sigma.md); may be repeated")
		->option_text("PATH")
		->expected(1)
		->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
	app.add_flag("--allow-untrusted-rules", config.allow_untrusted_rules,
		     "Read a rules file that a user other than root (or guard's) owns or may write, or that lies in such "
		     "a directory (refused otherwise)");
	app.add_flag("--allow-no-rules", config.allow_no_rules,
		     "Run with a rules file that has no enabled rule (refused otherwise: guard would detect nothing)");
	app.add_flag("--alerts-only", config.alerts_only,
		     "Write alert records (and health) only, not every event; the kernel then holds back file and network "
		     "records no rule can match (docs/rules.md)");
	app.add_option("--file-events", config.file_events,
		       "File events: all, or alerts (only alerts, and the kernel holds back records no rule can match)")
		->option_text("all|alerts")
		->check(CLI::IsMember({"all", "alerts"}));
	app.add_option("--net-events", config.net_events, "Network events: all, or alerts (as --file-events)")
		->option_text("all|alerts")
		->check(CLI::IsMember({"all", "alerts"}));
	app.add_flag("--enforce", config.enforce,
		     "Arm the rules with \"action\": \"kill\": the kernel kills the process at the match (docs/rules.md); "
		     "without it their alerts say \"would_kill\"");
	app.add_option("--rotate-size", config.rotate_bytes,
		       "Rotate the output file when it passes BYTES (FILE -> FILE.1 -> ...); 0: never")
		->option_text("BYTES")
		->check(unsigned_number(uint64_t(1) << 50, "--rotate-size"));
	app.add_option("--rotate-keep", config.rotate_keep, "Rotated files to keep (at most 1000)")
		->option_text("N")
		->check(unsigned_number(1000, "--rotate-keep"));
	app.add_option("--health-interval", config.health_interval_s,
		       "Write a health record every SECONDS (and at exit); 0: at exit only")
		->option_text("SECONDS")
		->check(unsigned_number(86400, "--health-interval"));
	app.add_flag("--host-fields", config.host_fields,
		     "Put the hostname and machine id (/etc/machine-id) on every line, for lines from many hosts "
		     "in one pipeline (docs/fleet.md)");
	app.add_option("--syslog", config.syslog_urls,
		       "Also send every line to a syslog receiver, as RFC 5424 messages: tcp://HOST:PORT (octet-counted), "
		       "udp://HOST:PORT or unix:///PATH (unix:///dev/log); may be repeated (docs/fleet.md)")
		->option_text("URL")
		->expected(1)
		->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
		->check(syslog_url());
	app.add_flag("--journald", config.journald,
		     "Also send every line to journald (native protocol: MESSAGE, PRIORITY, GUARD_RULE, ...)");
	app.add_option("--forward-queue-size", config.forward_queue_bytes,
		       "Bytes of lines each --syslog or --journald output may hold while its receiver is slow or away "
		       "(beyond that, lines are dropped and counted)")
		->option_text("BYTES")
		->check(unsigned_number(uint64_t(1) << 32, "--forward-queue-size"));
	app.add_option("--process-table-size", config.process_capacity, "Processes the process table holds")
		->option_text("N")
		->check(CLI::Range(size_t(64), size_t(1) << 22));
}

uint32_t prefiltered_kinds(const EngineConfig &config)
{
	uint32_t file = 0, net = 0;
	for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++)
		if (prefilter_kinds() & kind_bit(k))
			(guard_ring_of(k) == GUARD_RING_FILE ? file : net) |= kind_bit(k);
	return (config.alerts_only || config.file_events == "alerts" ? file : 0) |
	       (config.alerts_only || config.net_events == "alerts" ? net : 0);
}

} // namespace guard
