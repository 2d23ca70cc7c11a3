/* SPDX-License-Identifier: GPL-2.0-or-later */
// guard's subcommands that run without root: `guard rules check FILE` and
// `guard replay FILE`. Each adds itself to the command line and says, after
// parsing, whether it was chosen; main() then runs it.
#pragma once


#include <functional>

// CLI11 is header-only and slow to compile: only the files that parse
// options include it.
namespace CLI {
class App;
}

namespace guard {

struct Subcommand {
	CLI::App *app = nullptr;
	std::function<int()> run; // the exit status
};

Subcommand add_rules_command(CLI::App &app);
Subcommand add_replay_command(CLI::App &app);

} // namespace guard
