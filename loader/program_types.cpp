// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/program_types.h"

#include <linux/bpf.h>

#include "base/error.h"

namespace guard {

namespace {

struct SectionRule {
	std::string_view prefix; // up to and including '/', or the whole name
	AttachKind kind;
	uint32_t type;
	uint32_t expected_attach_type;
	bool needs_btf_target;
};

// The order matters only where one prefix starts another: none here, since
// each ends in '/' or is matched whole ("uprobe" only as the whole name).
constexpr SectionRule section_rules[] = {
	{"tracepoint/", AttachKind::tracepoint, BPF_PROG_TYPE_TRACEPOINT, 0, false},
	{"tp/", AttachKind::tracepoint, BPF_PROG_TYPE_TRACEPOINT, 0, false},
	{"kprobe/", AttachKind::kprobe, BPF_PROG_TYPE_KPROBE, 0, false},
	{"kretprobe/", AttachKind::kretprobe, BPF_PROG_TYPE_KPROBE, 0, false},
	{"ksyscall/", AttachKind::ksyscall, BPF_PROG_TYPE_KPROBE, 0, false},
	{"kretsyscall/", AttachKind::kretsyscall, BPF_PROG_TYPE_KPROBE, 0, false},
	{"uprobe/", AttachKind::uprobe, BPF_PROG_TYPE_KPROBE, 0, false},
	{"uretprobe/", AttachKind::uretprobe, BPF_PROG_TYPE_KPROBE, 0, false},
	// No target: libbpf's manual attach (bpf_program__attach_uprobe_opts),
	// the program still a kprobe-type program to load.
	{"uprobe", AttachKind::uprobe, BPF_PROG_TYPE_KPROBE, 0, false},
	{"uretprobe", AttachKind::uretprobe, BPF_PROG_TYPE_KPROBE, 0, false},
	// A USDT probe is a uprobe at the probe's address; its arguments' places
	// are data the userspace library writes into the object's maps.
	{"usdt/", AttachKind::usdt, BPF_PROG_TYPE_KPROBE, 0, false},
	{"usdt", AttachKind::usdt, BPF_PROG_TYPE_KPROBE, 0, false},
	{"raw_tp/", AttachKind::raw_tracepoint, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, false},
	{"raw_tracepoint/", AttachKind::raw_tracepoint, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, false},
	{"tp_btf/", AttachKind::tp_btf, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, true},
	{"perf_event", AttachKind::perf_event, BPF_PROG_TYPE_PERF_EVENT, 0, false},
	{"fentry/", AttachKind::fentry, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, true},
	{"fexit/", AttachKind::fexit, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, true},
	{"lsm/", AttachKind::lsm, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, true},
};

[[noreturn]] void malformed(std::string_view section, std::string_view expected)
{
	fail("section " + std::string(section) + ": expected " + std::string(expected));
}

// "<group>/<event>[,<event>...]": the tracepoint kinds keep it whole in
// target; object_spec.cpp splits the events.
void check_tracepoint(std::string_view section, std::string_view prefix, std::string_view rest)
{
	size_t slash = rest.find('/');
	if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size())
		malformed(section, std::string(prefix) + "<group>/<event>");
}

// "<binary>:<function>[+<offset>]"; the binary may be a path with slashes.
void split_uprobe(std::string_view section, std::string_view rest, ProgramSection &out)
{
	size_t colon = rest.rfind(':');
	if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size())
		malformed(section, "uprobe/<binary>:<function>[+<offset>]");
	out.binary = rest.substr(0, colon);
	out.target = rest.substr(colon + 1);
}

} // namespace

std::string_view attach_kind_name(AttachKind kind)
{
	switch (kind) {
	case AttachKind::tracepoint: return "tracepoint";
	case AttachKind::kprobe: return "kprobe";
	case AttachKind::kretprobe: return "kretprobe";
	case AttachKind::ksyscall: return "ksyscall";
	case AttachKind::kretsyscall: return "kretsyscall";
	case AttachKind::uprobe: return "uprobe";
	case AttachKind::uretprobe: return "uretprobe";
	case AttachKind::raw_tracepoint: return "raw_tracepoint";
	case AttachKind::tp_btf: return "tp_btf";
	case AttachKind::perf_event: return "perf_event";
	case AttachKind::fentry: return "fentry";
	case AttachKind::fexit: return "fexit";
	case AttachKind::lsm: return "lsm";
	case AttachKind::usdt: return "usdt";
	}
	return "?";
}

std::string_view known_section_prefixes()
{
	return "tracepoint/, tp/, kprobe/, kretprobe/, ksyscall/, kretsyscall/, uprobe[/], uretprobe[/], usdt[/], "
	       "raw_tp/, raw_tracepoint/, tp_btf/, perf_event, fentry/, fexit/, lsm/";
}

bool attached_by_its_user(AttachKind kind, std::string_view target)
{
	bool bare_uprobe = (kind == AttachKind::uprobe || kind == AttachKind::uretprobe) && target.empty();
	return kind == AttachKind::perf_event || kind == AttachKind::usdt || bare_uprobe;
}

bool parse_program_section(std::string_view section, ProgramSection &out)
{
	for (const SectionRule &rule : section_rules) {
		bool whole = rule.prefix.back() != '/';
		if (whole ? section != rule.prefix : !section.starts_with(rule.prefix))
			continue;
		out = {rule.kind, rule.type, rule.expected_attach_type, rule.needs_btf_target, {}, {}};
		std::string_view rest = section.substr(rule.prefix.size());
		if (!whole && rest.empty())
			malformed(section, std::string(rule.prefix) + "<target>");
		if (rule.kind == AttachKind::tracepoint)
			check_tracepoint(section, rule.prefix, rest);
		if ((rule.kind == AttachKind::uprobe || rule.kind == AttachKind::uretprobe) && !whole)
			split_uprobe(section, rest, out);
		else
			out.target = rest;
		return true;
	}
	return false;
}

} // namespace guard
