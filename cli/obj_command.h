/* SPDX-License-Identifier: GPL-2.0-or-later */
// guard obj FILE.o: prints what the loader sees in a BPF object, each part
// in the loader's own terms, so that reading it teaches what loading does.
// With --load it also loads every program (without attaching) and prints
// the verifier's statistics, then unloads; with --attach it attaches what it
// can for a while (cli/obj_attach.h). --set and --map change the spec
// before load (cli/obj_settings.h).
#pragma once

#include "cli/commands.h"

namespace guard {

Subcommand add_obj_command(CLI::App &app);

} // namespace guard
