// SPDX-License-Identifier: GPL-2.0-or-later
// guard rules check [FILE]: validate a rules file and print what it compiles
// to; exit 0 when it is good, 2 (with FILE:LINE:COL: reason) when not.
// guard rules defaults: print the built-in rules file.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "rules/rules_file.h"
#include "sigma/sigma_rules.h"

namespace guard {

namespace {

struct CheckOptions {
	std::string path;
	std::vector<std::string> sigma_paths;
	bool allow_untrusted = false;
	bool allow_no_rules = false;
};

// Each Sigma file: loaded, or each rule skipped and why, or malformed
// (exit 2); then the compiled rules. Without FILE, guard's built-in rules
// are not listed: the Sigma rules are what is checked.
int check_sigma(const CheckOptions &o)
{
	rules::RulesFilePolicy policy{!o.allow_untrusted, true};
	try {
		rules::LoadedRules base = o.path.empty() ? rules::LoadedRules{std::make_unique<RuleSet>(), {}, ""}
							 : rules::load_rules_file(o.path, policy);
		sigma::Report all;
		for (const std::string &path : o.sigma_paths) {
			sigma::Report r = sigma::add_sigma_rules(path, *base.set, policy);
			for (sigma::FileReport &f : r.files)
				all.add(std::move(f));
		}
		base.set->index_by_kind();
		std::fputs(sigma::describe_report(all).c_str(), all.malformed ? stderr : stdout);
		if (all.malformed)
			return 2;
		std::fputs(rules::describe_rules(*base.set).c_str(), stdout);
		return 0;
	} catch (const rules::RulesFileError &e) {
		std::fprintf(stderr, "%s\n", e.what());
		return 2;
	}
}

// The agent's own checks, so that what passes here runs there.
int check_rules(const CheckOptions &o)
{
	if (!o.sigma_paths.empty())
		return check_sigma(o);
	try {
		rules::LoadedRules loaded = o.path.empty() ? rules::load_default_rules()
							   : rules::load_rules_file(o.path, {!o.allow_untrusted, o.allow_no_rules});
		size_t n = loaded.set->rules.size();
		std::printf("%s: %zu rule%s\n", rules::printable(loaded.source).c_str(), n, n == 1 ? "" : "s");
		if (loaded.output)
			std::printf("output: %s\n",
				    loaded.output->to_file ? ("file " + rules::printable(loaded.output->path)).c_str() : "stdout");
		std::fputs(rules::describe_rules(*loaded.set).c_str(), stdout);
		return 0;
	} catch (const rules::RulesFileError &e) {
		std::fprintf(stderr, "%s\n", e.what());
		return 2;
	}
}

} // namespace

Subcommand add_rules_command(CLI::App &app)
{
	auto *rules = app.add_subcommand("rules", "Check rules files; print the built-in rules");
	rules->require_subcommand(1);
	auto *check = rules->add_subcommand("check", "Validate FILE and print its compiled rules (no FILE: the built-in rules)");
	auto o = std::make_shared<CheckOptions>();
	check->add_option("FILE", o->path, "A rules file");
	check->add_option("--sigma", o->sigma_paths,
			  "Check the Sigma rules at PATH (a .yml file or a directory): per file, loaded or each rule skipped "
			  "with the reason; a malformed file exits 2")
		->option_text("PATH")
		->expected(1)
		->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
	check->add_flag("--allow-untrusted-rules", o->allow_untrusted,
			"Accept a file others could change (the agent refuses it without this flag)");
	check->add_flag("--allow-no-rules", o->allow_no_rules,
			"Accept a file with no enabled rule (the agent refuses it without this flag)");
	auto *defaults = rules->add_subcommand("defaults", "Print the built-in rules file (JSON)");
	return {rules, [defaults, o]() {
			if (defaults->parsed()) {
				std::string_view text = rules::default_rules_text();
				std::fwrite(text.data(), 1, text.size(), stdout);
				return 0;
			}
			return check_rules(*o);
		}};
}

} // namespace guard
