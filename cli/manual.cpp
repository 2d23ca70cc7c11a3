// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/manual.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "loader/kernel_support.h"

namespace guard {

namespace {

struct Item {
	std::string_view term;
	std::string text;
};

struct Section {
	std::string_view title;
	std::string intro;
	std::vector<Item> items;
};

const Section kSignals{"SIGNALS",
		       "",
		       {{"SIGINT, SIGTERM (and SIGQUIT, SIGUSR2, SIGALRM, ...)",
			 "Detach every program, write what the rings still hold (for at most 250 ms), write the "
			 "final health record, print the stats line, exit 0."},
			{"SIGHUP", "Reload the rules file on a thread of its own (a bad file keeps the rules in force "
				   "and says why on standard error and in a reload line) and reopen the output file by "
				   "name, for logrotate's move-then-signal."},
			{"SIGUSR1", "Print the stats line on standard error (events=N drops=M alerts=A ...) and run on."},
			{"SIGPIPE, SIGXFSZ", "Ignored: a refused write is an output fault, counted and retried; when the "
					     "reader of standard output goes away (guard | head), guard ends quietly with "
					     "exit 0."}}};

const Section kExitStatus{"EXIT STATUS",
			  "",
			  {{"0", "Stopped by a signal, or standard output closed by its reader; a command that did "
				 "its work."},
			   {"1", "Could not set up or go on, with the reason on standard error: the kernel lacks a "
				 "feature or refuses the privilege, a BPF object or recording cannot be read, the output "
				 "cannot be written."},
			   {"2", "A bad command line, or a bad rules file (FILE:LINE:COL: what was expected)."}}};

const Section kFiles{
	"FILES",
	"",
	{{"/etc/guard/rules.json",
	  "The rules the installed service runs (guard --rules); installed as guard rules defaults prints them."},
	 {"/var/log/guard/events.jsonl", "The installed service's output (mode 0600), rotated by "
					 "/etc/logrotate.d/guard with a SIGHUP (systemctl reload guard)."},
	 {"guard.service", "The systemd unit of make install and the Debian package."},
	 {"/sys/kernel/btf/vmlinux", "The kernel's BTF, against which guard relocates its programs (CO-RE)."},
	 {"/sys/kernel/tracing", "Tracepoint ids (or /sys/kernel/debug/tracing); guard mounts tracefs when it "
				 "is not mounted."},
	 {"/proc", "The processes already running when guard starts."}}};

const Section kEnvironment{"ENVIRONMENT",
			   "",
			   {{"SUDO_UID, SUDO_GID",
			     "Under sudo, guard record gives the recording to the user who ran sudo, so that guard "
			     "replay needs no root."}}};

const Section kPrivileges{
	"PRIVILEGES",
	"guard runs as root, or as a user with the first four capabilities below. Root needs only the first "
	"three (the systemd unit's CapabilityBoundingSet), since it owns tracefs. Once attached it keeps "
	"CAP_DAC_READ_SEARCH only (when it had it), sets no_new_privs and installs a seccomp allow-list:",
	{{"CAP_BPF", "create maps and load programs"},
	 {"CAP_PERFMON", "tracing programs, their reads of kernel memory, perf events on tracepoints"},
	 {"CAP_SYS_PTRACE", "read other users' /proc/PID/exe when the process table is seeded"},
	 {"CAP_DAC_READ_SEARCH", "read tracefs (mode 0700, root's)"},
	 {"CAP_SYS_ADMIN", "only where tracefs is not mounted: guard then mounts it"}}};

// "Linux 6.2 or later ..." and the feature table of loader/kernel_support.cpp.
Section kernel_section()
{
	Section s{"KERNEL",
		  "guard needs Linux " + std::string(minimum_kernel()) +
			  " or later, built with BPF and BTF. When it cannot load, it checks every feature "
			  "below and names each one missing with the release that brought it:",
		  {}};
	for (const KernelFeature &f : kernel_features())
		s.items.push_back({f.name, "Linux " + std::string(f.since)});
	return s;
}

// Text as roff: backslashes escaped, a dash is a minus (options), a line
// may not start with a control character.
std::string roff(std::string_view text)
{
	std::string out;
	bool line_start = true;
	for (char c : text) {
		if (c == '\\')
			out += "\\e";
		else if (c == '-')
			out += "\\-";
		else if (line_start && (c == '.' || c == '\''))
			out += std::string("\\&") + c;
		else
			out += c;
		line_start = c == '\n';
	}
	return out;
}

void section_roff(std::string &out, const Section &s)
{
	out += ".SH \"" + std::string(s.title) + "\"\n";
	if (!s.intro.empty())
		out += roff(s.intro) + "\n";
	for (const Item &i : s.items)
		out += ".TP\n.B " + roff(i.term) + "\n" + roff(i.text) + "\n";
}

// "-o, --output FILE" and the description with its default.
void option_roff(std::string &out, const CLI::Option &o)
{
	std::string names;
	if (o.get_positional())
		names = "\\fI" + roff(o.get_name(true)) + "\\fR";
	for (const std::string &s : o.get_snames())
		names += (names.empty() ? "" : ", ") + std::string("\\fB\\-") + roff(s) + "\\fR";
	for (const std::string &l : o.get_lnames())
		names += (names.empty() ? "" : ", ") + std::string("\\fB\\-\\-") + roff(l) + "\\fR";
	if (!o.get_positional() && o.get_expected_max() != 0) // a flag expects none
		names += " \\fI" + roff(o.get_option_text().empty() ? "VALUE" : o.get_option_text()) + "\\fR";
	std::string text = o.get_description();
	if (o.get_positional() && !o.get_required())
		text += " (optional)";
	if (!shown_default(o).empty())
		text += " (default: " + shown_default(o) + ")";
	out += ".TP\n" + names + "\n" + roff(text) + "\n";
}

std::vector<const CLI::Option *> visible_options(const CLI::App &app)
{
	return app.get_options([](const CLI::Option *o) { return !o->get_group().empty(); });
}

// "guard rules check [FILE] [OPTIONS]"
std::string usage(const CLI::App &app, const std::string &path)
{
	std::string line = "\\fB" + roff(path) + "\\fR";
	bool has_options = false;
	for (const CLI::Option *o : visible_options(app)) {
		if (o->get_positional())
			line += o->get_required() ? " \\fI" + roff(o->get_name(true)) + "\\fR"
						  : " [\\fI" + roff(o->get_name(true)) + "\\fR]";
		else
			has_options = true;
	}
	return line + (has_options ? " [\\fIOPTIONS\\fR]" : "");
}

// Each command, depth first: its usage, description and own options.
void commands_roff(std::string &synopsis, std::string &out, const CLI::App &app, const std::string &path)
{
	for (const CLI::App *sub : app.get_subcommands([](const CLI::App *) { return true; })) {
		std::string sub_path = path + " " + sub->get_name();
		if (sub->get_subcommands([](const CLI::App *) { return true; }).empty()) {
			synopsis += usage(*sub, sub_path) + "\n.br\n";
			out += ".SS \"" + roff(sub_path) + "\"\n" + roff(sub->get_description()) + "\n";
			for (const CLI::Option *o : visible_options(*sub))
				if (o != sub->get_help_ptr())
					option_roff(out, *o);
		}
		commands_roff(synopsis, out, *sub, sub_path);
	}
}

std::string plain(const Section &s)
{
	std::string out(s.title); // "EXIT STATUS" -> "Exit status:"
	for (size_t i = 1; i < out.size(); i++)
		out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
	out += ":\n";
	for (const Item &i : s.items) {
		std::string term = "  " + std::string(i.term);
		term.resize(std::max<size_t>(term.size() + 2, 22), ' ');
		out += term + std::string(i.text) + "\n";
	}
	return out;
}

class HelpFormatter : public CLI::Formatter {
public:
	std::string make_option_opts(const CLI::Option *o) const override
	{
		std::string text = CLI::Formatter::make_option_opts(o);
		if (!o->get_option_text().empty() && !shown_default(*o).empty())
			text += " [" + shown_default(*o) + "]";
		return text;
	}
};

} // namespace

std::shared_ptr<CLI::Formatter> help_formatter() { return std::make_shared<HelpFormatter>(); }

std::string shown_default(const CLI::Option &o)
{
	std::string d = o.get_default_str();
	return o.get_expected_max() == 0 || d == "[]" ? "" : d;
}

std::string help_footer()
{
	return "\n" + plain(kSignals) + "\n" + plain(kExitStatus) +
	       "\nFiles, environment, kernel (Linux " + std::string(minimum_kernel()) +
	       " or later) and privileges: man guard (guard help --man).";
}

std::string man_page(const CLI::App &app, std::string_view version)
{
	std::string synopsis = usage(app, "guard") + "\n.br\n";
	std::string commands;
	commands_roff(synopsis, commands, app, "guard");

	std::string out = ".TH GUARD 8 \"\" \"guard " + roff(version) + "\" \"System Administration\"\n";
	out += ".SH NAME\nguard \\- Linux endpoint detection with eBPF: what processes do, as JSON lines\n";
	out += ".SH SYNOPSIS\n" + synopsis;
	out += ".SH DESCRIPTION\n" + roff(app.get_description()) + "\n";
	out += ".SH OPTIONS\nWith no command, guard runs the agent with these options.\n";
	for (const CLI::Option *o : visible_options(app))
		option_roff(out, *o);
	out += ".SH COMMANDS\nOptions of a command come after its name.\n" + commands;
	for (const Section &s : {kSignals, kExitStatus, kFiles, kEnvironment, kernel_section(), kPrivileges})
		section_roff(out, s);
	out += ".SH \"SEE ALSO\"\n.BR systemd.exec (5),\n.BR capabilities (7),\n.BR bpf (2)\n";
	return out;
}

} // namespace guard
