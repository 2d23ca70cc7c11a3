// SPDX-License-Identifier: GPL-2.0-or-later
#include "loader/collection.h"


#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <fstream>
#include <thread>

#include "base/cpus.h"
#include "base/error.h"
#include "loader/attach_btf_id.h"
#include "loader/bpf_syscall.h"
#include "loader/core_relocate.h"
#include "loader/kconfig.h"
#include "loader/ksyms.h"
#include "loader/load_errors.h"

namespace guard {

void patch_map_reference(std::vector<struct bpf_insn> &insns, size_t insn, int map_fd)
{
	// ld_imm64 is two slots: the 64-bit immediate's low half is in the first
	// slot's imm, the high half in the second's. A map fd fits the low half.
	insns.at(insn).src_reg = BPF_PSEUDO_MAP_FD;
	insns.at(insn).imm = map_fd;
	insns.at(insn + 1).imm = 0;
}

void patch_map_value_reference(std::vector<struct bpf_insn> &insns, size_t insn, int map_fd, uint32_t offset)
{
	insns.at(insn).src_reg = BPF_PSEUDO_MAP_VALUE;
	insns.at(insn).imm = map_fd;
	insns.at(insn + 1).imm = static_cast<int32_t>(offset);
}

namespace {

Fd create_map(const MapSpec &m, int btf_fd)
{
	Fd fd = bpf_map_create({m.name, m.type, m.key_size, m.value_size, m.max_entries, m.flags, btf_fd,
				m.btf_key_type_id, m.btf_value_type_id});
	if (m.section.empty())
		return fd;
	// Global data: the value is written before any program can see the
	// map, then .rodata is frozen so neither programs nor system calls can
	// change it again; the verifier relies on that to read it as constants.
	uint32_t zero = 0;
	bpf_map_update(fd.get(), &zero, m.initial_value.data());
	if (m.freeze)
		bpf_map_freeze(fd.get());
	return fd;
}

// What a poisoned instruction stands for: a CO-RE relocation or a __weak
// kfunc this kernel cannot give. Either becomes a call to a helper no kernel
// has, which the verifier refuses only if it can reach it; the error then
// names the cause instead of "invalid func unknown#...".
struct PoisonSite {
	size_t insn;    // the patched instruction (an ld_imm64 is poisoned in its second slot)
	int32_t helper; // kCorePoisonHelper or kKsymPoisonHelper
	std::string cause;
};

// The verifier's log shows the instruction it refused as
// "9: (85) call unknown#195896080": the poisoned site that is.
const PoisonSite *reached_poison(const std::vector<PoisonSite> &sites, const std::string &log)
{
	const std::string mark = ": (85) call unknown#";
	size_t at = log.find(mark);
	if (at == std::string::npos)
		return nullptr;
	size_t line = log.rfind('\n', at);
	line = line == std::string::npos ? 0 : line + 1;
	size_t insn = 0;
	for (size_t i = line; i < at && log[i] >= '0' && log[i] <= '9'; i++)
		insn = insn * 10 + size_t(log[i] - '0');
	int64_t helper = 0;
	for (size_t i = at + mark.size(); i < log.size() && log[i] >= '0' && log[i] <= '9'; i++)
		helper = helper * 10 + (log[i] - '0');
	const PoisonSite *same_helper = nullptr;
	for (const PoisonSite &s : sites) {
		if (s.helper != helper)
			continue;
		if (s.insn == insn || s.insn + 1 == insn)
			return &s;
		if (!same_helper)
			same_helper = &s;
	}
	return same_helper;
}

struct PendingProgram {
	const ProgramSpec *spec;
	std::vector<struct bpf_insn> insns; // relocated
	std::vector<CoreResult> core;
	std::vector<KsymResult> ksyms;
	uint32_t attach_btf_id = 0;
	std::string stats;
	Fd fd;
	std::exception_ptr error;
};

// BPF_PROG_LOAD for one relocated program; an error is kept in p.error for
// the loading thread to rethrow in order.
void load_one(PendingProgram &p, const ObjectSpec &spec, int btf_fd, bool want_stats)
{
	const ProgramSpec &ps = *p.spec;
	ProgramLoadRequest req;
	req.name = ps.name;
	req.type = ps.type;
	req.insns = p.insns;
	req.license = spec.license;
	req.expected_attach_type = ps.expected_attach_type;
	req.attach_btf_id = p.attach_btf_id;
	if (want_stats)
		req.stats = &p.stats;
	if (btf_fd >= 0 && !ps.func_info.empty()) {
		req.prog_btf_fd = btf_fd;
		req.func_info = ps.func_info;
		req.line_info = ps.line_info;
	}
	try {
		try {
			p.fd = with_context("load program " + ps.name, [&] { return bpf_prog_load(req); });
		} catch (const Error &e) {
			std::vector<PoisonSite> sites;
			for (const CoreResult &r : p.core)
				if (r.poison)
					sites.push_back({r.relo.insn, kCorePoisonHelper, r.describe()});
			for (const KsymResult &k : p.ksyms)
				if (!k.kernel_id && k.ref.kind == KsymReferenceKind::call)
					sites.push_back({k.ref.insn, kKsymPoisonHelper,
							 "kfunc " + k.ref.name +
								 ": not in vmlinux BTF, and called where bpf_ksym_exists() "
								 "does not rule it out"});
			if (const PoisonSite *site = reached_poison(sites, e.what()))
				fail("relocate program " + ps.name + ": " + site->cause + "\n" + e.what());
			throw;
		}
	} catch (...) {
		p.error = std::current_exception();
	}
}

ProgramFailure describe_failure(const PendingProgram &p)
{
	try {
		std::rethrow_exception(p.error);
	} catch (const NotSupportedByKernel &e) {
		return {p.spec, e.what(), true};
	} catch (const Error &e) {
		return {p.spec, e.what(), false};
	}
}

// Step 9: every map, sizes as the options and this machine say.
std::vector<Map> create_maps(const ObjectSpec &spec, const LoadOptions &options, int btf_fd)
{
	std::vector<Map> maps;
	for (const MapSpec &ms : spec.maps) {
		Map m{ms, {}};
		if (ms.section == ".kconfig" && !spec.kconfig.empty())
			with_context("create map .kconfig", [&] {
				fill_kconfig(spec, read_kernel_config(), read_kernel_facts(spec), m.spec.initial_value);
			});
		if (auto it = options.max_entries.find(ms.name); it != options.max_entries.end())
			m.spec.max_entries = it->second;
		if (m.spec.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && m.spec.max_entries == 0)
			m.spec.max_entries = possible_cpus();
		m.fd = with_context("create map " + ms.name, [&] { return create_map(m.spec, btf_fd); });
		maps.push_back(std::move(m));
	}
	return maps;
}

bool skipped(const LoadOptions &options, const ProgramSpec &ps)
{
	return std::find(options.skip_programs.begin(), options.skip_programs.end(), ps.name) !=
	       options.skip_programs.end();
}

// Every type to look up in vmlinux BTF, found for all programs in one pass
// over it rather than one pass per relocation.
void prefetch_kernel_types(const ObjectSpec &spec, const LoadOptions &options, CoreContext &core)
{
	std::vector<uint32_t> core_roots;
	for (const ProgramSpec &ps : spec.programs) {
		if (skipped(options, ps))
			continue;
		for (const CoreRelocation &r : ps.core_relos)
			core_roots.push_back(r.type_id);
		if (!ps.ksym_refs.empty() && spec.btf)
			for (uint32_t id : ksym_local_types(*spec.btf, ps))
				core_roots.push_back(id);
	}
	if (!core_roots.empty())
		with_context("relocate", [&] { core.candidates().prefetch(*spec.btf, core_roots); });
}

// Steps 7 (attach_btf_id), 10, 10b and 11 for one program, on a copy of its
// instructions. A missing BTF target is kept in p.error, reported in
// program order with the verifier's refusals.
PendingProgram relocate_program(const ObjectSpec &spec, const ProgramSpec &ps, const std::vector<Map> &maps,
				CoreContext &core)
{
	PendingProgram p{&ps, ps.insns, {}, {}, 0, {}, {}, {}};
	if (ps.needs_btf_target) {
		try {
			p.attach_btf_id =
				with_context("load program " + ps.name, [&] { return find_attach_btf_id(core.kernel(), ps); });
		} catch (const Error &) {
			p.error = std::current_exception();
		}
	}
	if (!ps.core_relos.empty())
		p.core = with_context("relocate program " + ps.name,
				      [&] { return apply_core_relocations(*spec.btf, core, ps, p.insns); });
	if (!ps.ksym_refs.empty())
		with_context("relocate program " + ps.name, [&] {
			if (!spec.btf)
				fail("kernel functions need the object's BTF (compile with -g)");
			p.ksyms = apply_ksym_references(*spec.btf, core, ps, p.insns);
		});
	for (const MapReference &ref : ps.map_refs) {
		int fd = maps.at(ref.map).fd.get();
		if (ref.kind == MapReferenceKind::map_value)
			patch_map_value_reference(p.insns, ref.insn, fd, ref.offset);
		else
			patch_map_reference(p.insns, ref.insn, fd);
	}
	return p;
}

// Step 12, the verifier, which is most of the start-up time: programs are
// independent, so they are verified on several CPUs at once.
void verify_programs(std::vector<PendingProgram> &pending, const ObjectSpec &spec, int btf_fd,
		     const LoadOptions &options)
{
	unsigned threads = options.load_threads ? options.load_threads : std::thread::hardware_concurrency();
	threads = std::max(1u, std::min<unsigned>(threads, unsigned(pending.size())));
	std::atomic<size_t> next{0};
	auto worker = [&] {
		for (size_t i = next++; i < pending.size(); i = next++)
			if (!pending[i].error)
				load_one(pending[i], spec, btf_fd, options.verifier_stats);
	};
	std::vector<std::thread> pool;
	for (unsigned t = 1; t < threads; t++)
		pool.emplace_back(worker);
	worker();
	for (std::thread &t : pool)
		t.join();
}

} // namespace

Collection Collection::load(const ObjectSpec &spec, const LoadOptions &options)
{
	using clock = std::chrono::steady_clock;
	auto ms_since = [](clock::time_point t) { return std::chrono::duration<double, std::milli>(clock::now() - t).count(); };
	LoadTimings timings;
	auto step = clock::now();
	Collection c;
	// The object's BTF first (step 8): maps and programs refer to its types by id.
	if (spec.btf)
		c.btf_ = with_context("load object BTF", [&] { return bpf_btf_load(spec.btf->raw()); });
	c.maps_ = create_maps(spec, options, c.btf_.get());
	timings.maps = ms_since(step);
	step = clock::now();

	// Relocate every program first: pure work on copies.
	CoreContext core(options.kernel_btf);
	prefetch_kernel_types(spec, options, core);
	std::vector<PendingProgram> pending;
	for (const ProgramSpec &ps : spec.programs)
		if (!skipped(options, ps))
			pending.push_back(relocate_program(spec, ps, c.maps_, core));
	timings.relocate = ms_since(step);
	step = clock::now();

	verify_programs(pending, spec, c.btf_.get(), options);
	timings.verify = ms_since(step);
	if (options.timings)
		*options.timings = timings;

	// Report the first failure in program order, as a sequential load would.
	for (PendingProgram &p : pending) {
		if (p.error && !options.keep_going)
			std::rethrow_exception(p.error);
		if (p.error)
			c.failures_.push_back(describe_failure(p));
		else
			c.programs_.push_back({p.spec, std::move(p.fd), std::move(p.core), std::move(p.stats)});
	}
	return c;
}

const Map &Collection::map(std::string_view name) const
{
	for (const Map &m : maps_)
		if (m.spec.name == name)
			return m;
	fail("no map named " + std::string(name));
}

std::vector<uint8_t> Collection::read_global(const ObjectSpec &spec, std::string_view name) const
{
	const GlobalVariable *var = spec.find_global(name);
	if (!var)
		fail("read global " + std::string(name) + ": no such variable");
	const Map &m = maps_.at(var->map);
	std::vector<uint8_t> value(m.spec.value_size);
	uint32_t zero = 0;
	if (!bpf_map_lookup(m.fd.get(), &zero, value.data()))
		fail("read global " + std::string(name) + ": map " + m.spec.name + " has no entry 0");
	return {value.begin() + var->offset, value.begin() + var->offset + var->size};
}

void Collection::throw_size_mismatch(std::string_view name, size_t have, size_t want)
{
	fail("read global " + std::string(name) + ": variable has " + std::to_string(have) + " bytes, not " +
	     std::to_string(want));
}

} // namespace guard
