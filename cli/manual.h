/* SPDX-License-Identifier: GPL-2.0-or-later */
// The parts of guard's manual that are not options: signals, exit status,
// files, environment, kernel and privileges. One source for `guard --help`
// (its footer) and for the man page guard(8) (`guard help --man`), which
// takes every command and option from the command line's own definitions,
// so what --help says and what man says cannot drift apart.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace guard {

// The --help footer: signals, exit status, and where the rest is.
std::string help_footer();

// CLI11's help layout, with each option's default after its value's name
// ("--ring-pages N [1024]"); CLI11 shows none where a value is named.
std::shared_ptr<CLI::Formatter> help_formatter();

// A default worth showing: not empty, not an empty list.
std::string shown_default(const CLI::Option &option);

// guard(8) in roff (the man(7) macros): the app's description, every
// command and option with its default, then the sections above.
std::string man_page(const CLI::App &app, std::string_view version);

} // namespace guard
