// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/prefilter_table.h"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <string>

namespace guard {
namespace {

// What a condition lets through for one kind: everything, or the
// modifying opens, or a record that hits one of the terms.
struct Term {
	enum Type : uint8_t { file, dir, cidr, port, comm, uid } type = file;
	std::string path; // file, dir; comm: the name
	Cidr net;         // cidr
	uint16_t number = 0; // port
	bool modify = false; // only a modifying open (comm and uid ignore it: they pass more)
	uint32_t lo = 0, hi = 0; // uid: inclusive
};

struct Terms {
	bool all = false;
	bool modify_all = false;
	std::vector<Term> terms;
};

constexpr uint32_t net_kinds = kind_bit(GUARD_RECORD_NET_CONNECT) | kind_bit(GUARD_RECORD_NET_BIND) |
			       kind_bit(GUARD_RECORD_NET_LISTEN) | kind_bit(GUARD_RECORD_NET_ACCEPT) |
			       kind_bit(GUARD_RECORD_NET_SEND);

// Kinds whose records can give a watched name a new file: the engine must
// see them to resolve it again (engine/watched_files.h).
constexpr uint32_t renaming_kinds = kind_bit(GUARD_RECORD_FILE_RENAME) | kind_bit(GUARD_RECORD_FILE_LINK) |
				    kind_bit(GUARD_RECORD_FILE_SYMLINK) | kind_bit(GUARD_RECORD_FILE_UNLINK);

bool is_net(uint16_t kind) { return net_kinds & kind_bit(kind); }

bool is_path_field(Field f) { return f == Field::path || f == Field::any_path; }

bool is_modify_true(const RuleSet &set, const Node &n, uint16_t kind)
{
	return kind == GUARD_RECORD_FILE_OPEN && n.op == NodeOp::num_in && n.field == Field::modify && n.count == 1 &&
	       set.numbers[n.first] == 1;
}

// The directory every path a prefix (or a glob's text before its first
// wildcard) matches lies in: up to its last '/'; "" for the root or none.
std::string directory_of(std::string_view fixed)
{
	size_t slash = fixed.rfind('/');
	if (fixed.empty() || fixed[0] != '/' || slash == std::string_view::npos || slash == 0)
		return "";
	return std::string(fixed.substr(0, slash));
}

Terms pass_all() { return {true, false, {}}; }

bool is_task_term(const Term &t) { return t.type == Term::comm || t.type == Term::uid; }

// How much a test lets through, for an all-of's choice: a file, directory
// or address least, then a comm, then a uid (one uid, root's, is often most
// processes); everything, most.
int breadth(const Terms &t)
{
	if (t.all)
		return 3;
	int most = 0;
	for (const Term &term : t.terms)
		most = std::max(most, term.type == Term::uid ? 2 : term.type == Term::comm ? 1 : 0);
	return most;
}

// comm equals/in: the engine compares the task's comm, at most 15 bytes as
// the kernel keeps it, byte for byte: a longer literal (or one holding a
// NUL) matches no task and needs no entry.
Terms comm_terms(const RuleSet &set, const Node &n)
{
	Terms out;
	for (uint32_t i = 0; i < n.count; i++) {
		const std::string &lit = set.literals[n.first + i];
		if (lit.size() > 15 || lit.find('\0') != std::string::npos)
			continue;
		Term t;
		t.type = Term::comm;
		t.path = lit;
		out.terms.push_back(std::move(t));
	}
	return out;
}

Term uid_term(int64_t lo, int64_t hi)
{
	Term t;
	t.type = Term::uid;
	t.lo = static_cast<uint32_t>(lo);
	t.hi = static_cast<uint32_t>(hi);
	return t;
}

// uid equals/in: one range a value (a uid is 32 bits: another matches no
// task).
Terms uid_in_terms(const RuleSet &set, const Node &n)
{
	Terms out;
	for (uint32_t i = 0; i < n.count; i++) {
		int64_t v = set.numbers[n.first + i];
		if (v >= 0 && v <= int64_t(UINT32_MAX))
			out.terms.push_back(uid_term(v, v));
	}
	return out;
}

// uid lt/le/gt/ge: the uids it holds for, as one range (none when empty).
Terms uid_cmp_terms(const Node &n)
{
	int64_t lo = 0, hi = UINT32_MAX, v = n.value;
	switch (n.cmp) {
	case Cmp::lt: hi = v <= 0 ? -1 : std::min(v - 1, hi); break;
	case Cmp::le: hi = std::min(v, hi); break;
	case Cmp::gt: lo = v >= hi ? hi + 1 : std::max(v + 1, lo); break;
	case Cmp::ge: lo = std::max(v, lo); break;
	}
	Terms out;
	if (lo <= hi)
		out.terms.push_back(uid_term(lo, hi));
	return out;
}

Terms path_terms(const RuleSet &set, const Node &n)
{
	Terms out;
	for (uint32_t i = 0; i < n.count; i++) {
		const std::string &lit = set.literals[n.first + i];
		Term t;
		if (n.op == NodeOp::str_equals) {
			if (lit.empty() || lit[0] != '/')
				return pass_all();
			t.path = lit;
		} else {
			std::string_view fixed = lit;
			if (n.op == NodeOp::str_glob)
				fixed = fixed.substr(0, std::min(fixed.size(), fixed.find_first_of("*?[\\")));
			t.type = Term::dir;
			t.path = directory_of(fixed);
			if (t.path.empty())
				return pass_all();
		}
		out.terms.push_back(std::move(t));
	}
	return out;
}

Terms terms_of(const RuleSet &set, uint32_t index, uint16_t kind);

// All of: the most selective child the kernel can check (the others are
// left to userspace: breadth, then fewest entries), narrowed to modifying
// opens when one child says so.
Terms all_of(const RuleSet &set, const Node &n, uint16_t kind)
{
	bool modify = false;
	Terms best = pass_all();
	for (uint32_t i = 0; i < n.count; i++) {
		uint32_t child = set.children[n.first + i];
		if (is_modify_true(set, set.nodes[child], kind)) {
			modify = true;
			continue;
		}
		Terms t = terms_of(set, child, kind);
		if (!t.all && (best.all || std::pair(breadth(t), t.terms.size()) < std::pair(breadth(best), best.terms.size())))
			best = std::move(t);
	}
	if (!modify)
		return best;
	if (best.all)
		return {false, true, {}};
	for (Term &t : best.terms)
		t.modify = true;
	return best;
}

Terms any_of(const RuleSet &set, const Node &n, uint16_t kind)
{
	Terms out;
	for (uint32_t i = 0; i < n.count; i++) {
		Terms t = terms_of(set, set.children[n.first + i], kind);
		if (t.all)
			return t;
		out.modify_all |= t.modify_all;
		for (Term &term : t.terms)
			out.terms.push_back(std::move(term));
	}
	return out;
}

Terms terms_of(const RuleSet &set, uint32_t index, uint16_t kind)
{
	const Node &n = set.nodes[index];
	switch (n.op) {
	case NodeOp::all: return n.count == 0 ? pass_all() : all_of(set, n, kind);
	case NodeOp::any: return any_of(set, n, kind);
	case NodeOp::str_equals:
	case NodeOp::str_prefix:
	case NodeOp::str_glob:
		if (n.op == NodeOp::str_equals && n.field == Field::comm && !n.nocase)
			return comm_terms(set, n);
		if (kind != GUARD_RECORD_FILE_OPEN || n.nocase || !is_path_field(n.field))
			return pass_all();
		return path_terms(set, n);
	case NodeOp::addr_cidr: {
		if (!is_net(kind) || n.field != Field::addr)
			return pass_all();
		Terms out;
		for (uint32_t i = 0; i < n.count; i++)
			out.terms.push_back({Term::cidr, "", set.cidrs[n.first + i], 0, false});
		return out;
	}
	case NodeOp::num_in: {
		if (is_modify_true(set, n, kind))
			return {false, true, {}};
		if (n.field == Field::uid)
			return uid_in_terms(set, n);
		if (!is_net(kind) || n.field != Field::port)
			return pass_all();
		Terms out;
		for (uint32_t i = 0; i < n.count; i++)
			if (set.numbers[n.first + i] >= 0 && set.numbers[n.first + i] <= 0xffff)
				out.terms.push_back({Term::port, "", {}, static_cast<uint16_t>(set.numbers[n.first + i]), false});
		return out;
	}
	case NodeOp::num_cmp: return n.field == Field::uid ? uid_cmp_terms(n) : pass_all();
	default: return pass_all();
	}
}

uint32_t kernel_dev(dev_t dev) { return (uint32_t(major(dev)) << 20) | minor(dev); }

// Whether stat's st_dev is the kernel's s_dev for files there: not on
// btrfs (a subvolume's st_dev is its own anonymous device) nor overlayfs
// (an opened file is the layer's inode).
bool same_dev_as_kernel(const std::string &path)
{
	constexpr long btrfs_magic = 0x9123683e, overlayfs_magic = 0x794c7630;
	struct statfs fs {};
	return ::statfs(path.c_str(), &fs) == 0 && fs.f_type != btrfs_magic && fs.f_type != overlayfs_magic;
}

// Builds the file table: identities merged, bits or'ed.
class FileEntries {
public:
	// Adds what term needs; false when the kernel cannot check it (the
	// kind then passes whole).
	bool add(const Term &t)
	{
		uint32_t any = t.modify ? GUARD_FILTER_DIR_MODIFY : GUARD_FILTER_DIR_ANY;
		if (t.type == Term::dir)
			return add_existing_dir(t.path, any);
		struct stat st {};
		std::string parent = directory_of(t.path);
		if (::stat(t.path.c_str(), &st) != 0) {
			// Not there (yet): any file made under that name lies in its
			// nearest directory that is.
			return !parent.empty() && add_existing_dir(parent, any);
		}
		if (!same_dev_as_kernel(t.path))
			return false;
		bits_[{kernel_dev(st.st_dev), st.st_ino}] |= t.modify ? GUARD_FILTER_FILE_MODIFY : GUARD_FILTER_FILE_ANY;
		has_files_ = true;
		// Unlinked and created again: the open that creates it. Renamed
		// over, linked or created: the file put there since (its ctime).
		return parent.empty() || add_existing_dir(parent, GUARD_FILTER_DIR_CREATE | GUARD_FILTER_DIR_NAMES);
	}

	bool has_files() const { return has_files_; }

	std::vector<PrefilterFile> files() const
	{
		std::vector<PrefilterFile> out;
		for (const auto &[id, bits] : bits_)
			out.push_back({id.first, id.second, bits});
		return out;
	}

private:
	// The directory, or its nearest ancestor that exists (a file made
	// there later lies below it too); false at the root.
	bool add_existing_dir(std::string dir, uint32_t bits)
	{
		for (; !dir.empty(); dir = directory_of(dir)) {
			struct stat st {};
			if (::stat(dir.c_str(), &st) != 0)
				continue;
			if (!S_ISDIR(st.st_mode) || !same_dev_as_kernel(dir))
				return false;
			bits_[{kernel_dev(st.st_dev), st.st_ino}] |= bits;
			return true;
		}
		return false;
	}

	std::map<std::pair<uint32_t, uint64_t>, uint32_t> bits_;
	bool has_files_ = false;
};

bool contains(const Cidr &outer, const Cidr &inner)
{
	if (outer.len != inner.len || outer.prefix > inner.prefix)
		return false;
	uint32_t whole = outer.prefix / 8, rest = outer.prefix % 8;
	if (std::memcmp(outer.bytes, inner.bytes, whole) != 0)
		return false;
	uint8_t mask = static_cast<uint8_t>(0xff00 >> rest);
	return rest == 0 || (outer.bytes[whole] & mask) == (inner.bytes[whole] & mask);
}

// A prefix's kinds include those of every prefix around it: the kernel's
// trie finds the longest match only. At most GUARD_FILTER_CIDRS_MAX per
// family (the caller checks), so the square stays small.
std::vector<PrefilterCidr> nested(const std::vector<PrefilterCidr> &cidrs)
{
	std::vector<PrefilterCidr> out = cidrs;
	for (PrefilterCidr &inner : out)
		for (const PrefilterCidr &outer : cidrs)
			if (contains(outer.cidr, inner.cidr))
				inner.kinds |= outer.kinds;
	return out;
}

using CidrKey = std::pair<std::pair<uint8_t, uint8_t>, std::array<uint8_t, 16>>;

CidrKey key_of(const Cidr &c)
{
	CidrKey k{{c.len, c.prefix}, {}};
	std::memcpy(k.second.data(), c.bytes, 16);
	return k;
}

// More entries than the kernel's tables hold: the kinds that have them
// pass whole (sound; the rules still match in userspace).
void pass_whole_when_too_many(PrefilterTable &t, const std::map<CidrKey, PrefilterCidr> &cidrs)
{
	if (t.files.size() > GUARD_FILTER_FILES_MAX) {
		t.pass_all |= kind_bit(GUARD_RECORD_FILE_OPEN);
		t.files.clear();
	}
	size_t v4 = 0;
	uint32_t cidr_kinds = 0;
	for (const auto &[key, c] : cidrs) {
		v4 += c.cidr.len == 4;
		cidr_kinds |= c.kinds;
	}
	if (v4 > GUARD_FILTER_CIDRS_MAX || cidrs.size() - v4 > GUARD_FILTER_CIDRS_MAX)
		t.pass_all |= cidr_kinds;
	else
		for (const auto &[key, c] : cidrs)
			t.cidrs.push_back(c);
	if (t.ports.size() > GUARD_FILTER_PORTS_MAX) {
		for (const PrefilterPort &p : t.ports)
			t.pass_all |= p.kinds;
		t.ports.clear();
	}
}

// A time before any ctime a rename, link or creation after now can give:
// the kernel stamps ctimes from a clock that lags by a tick or so (and
// reads them in two loads), and some file systems keep whole seconds.
uint64_t names_resolved_from()
{
	constexpr uint64_t margin_ns = 2'000'000'000;
	struct timespec now {};
	::clock_gettime(CLOCK_REALTIME, &now);
	uint64_t ns = uint64_t(now.tv_sec) * 1'000'000'000 + uint64_t(now.tv_nsec);
	return ns > margin_ns ? ns - margin_ns : 0;
}

// Each kind's uid ranges merged (overlapping or adjacent), then one entry
// per distinct range with the kinds it lets through. by_kind: (kind bit,
// lo) to hi. (The file table's map type: one more instantiation costs the
// static binary kilobytes.)
std::vector<PrefilterUidRange> merged_uids(const std::map<std::pair<uint32_t, uint64_t>, uint32_t> &by_kind)
{
	std::map<std::pair<uint32_t, uint64_t>, uint32_t> kinds_of; // (lo, hi) to kinds
	uint32_t bit = 0, lo = 0, hi = 0;
	for (const auto &[key, end] : by_kind) {
		if (key.first == bit && uint64_t(hi) + 1 >= key.second) {
			hi = std::max(hi, end);
			continue;
		}
		if (bit)
			kinds_of[{lo, hi}] |= bit;
		bit = key.first;
		lo = uint32_t(key.second);
		hi = end;
	}
	if (bit)
		kinds_of[{lo, hi}] |= bit;
	std::vector<PrefilterUidRange> out;
	for (const auto &[range, kinds] : kinds_of)
		out.push_back({range.first, uint32_t(range.second), kinds});
	return out;
}

// The comm set and uid ranges; more than the kernel holds: the kinds that
// have them pass whole.
void task_tables(PrefilterTable &t, const std::map<std::string, uint32_t> &comms,
		 const std::map<std::pair<uint32_t, uint64_t>, uint32_t> &uids)
{
	for (const auto &[name, kinds] : comms) {
		PrefilterComm c{{}, kinds};
		std::memcpy(c.comm.data(), name.data(), std::min(name.size(), c.comm.size() - 1));
		t.comms.push_back(c);
	}
	if (t.comms.size() > GUARD_FILTER_COMMS_MAX) {
		for (const PrefilterComm &c : t.comms)
			t.pass_all |= c.kinds;
		t.comms.clear();
	}
	t.uids = merged_uids(uids);
	if (t.uids.size() > GUARD_FILTER_UIDS_MAX) {
		for (const PrefilterUidRange &r : t.uids)
			t.pass_all |= r.kinds;
		t.uids.clear();
	}
}

} // namespace

uint32_t prefilter_kinds()
{
	uint32_t kinds = net_kinds;
	for (uint16_t k = 1; k < GUARD_RECORD_KIND_MAX; k++)
		if (guard_ring_of(k) == GUARD_RING_FILE)
			kinds |= kind_bit(k);
	return kinds;
}

PrefilterTable build_prefilter_table(const RuleSet &set)
{
	PrefilterTable t;
	t.names_changed_ns = names_resolved_from();
	FileEntries files;
	std::map<uint16_t, uint32_t> ports;
	std::map<CidrKey, PrefilterCidr> cidrs;
	std::map<std::string, uint32_t> comms;
	std::map<std::pair<uint32_t, uint64_t>, uint32_t> uids; // (kind bit, lo) to hi
	uint32_t task_decided = 0, not_task_decided = 0;
	for (const Rule &rule : set.rules) {
		for (uint16_t kind = 1; kind < GUARD_RECORD_KIND_MAX; kind++) {
			uint32_t bit = kind_bit(kind);
			if (!(rule.kinds & bit & prefilter_kinds()))
				continue;
			Terms terms = rule.correlated() ? pass_all() : terms_of(set, rule.root, kind);
			for (const Term &term : terms.terms) {
				if (term.type == Term::cidr)
					cidrs.emplace(key_of(term.net), PrefilterCidr{term.net, 0}).first->second.kinds |= bit;
				else if (term.type == Term::port)
					ports[term.number] |= bit;
				else if (term.type == Term::comm)
					comms[term.path] |= bit;
				else if (term.type == Term::uid)
					uids[{bit, term.lo}] = std::max(uids[{bit, term.lo}], term.hi);
				else if (!files.add(term))
					terms.all = true;
			}
			bool by_task = !terms.all && !terms.modify_all &&
				       std::all_of(terms.terms.begin(), terms.terms.end(), is_task_term);
			(by_task ? task_decided : not_task_decided) |= bit;
			if (terms.all)
				t.pass_all |= bit;
			t.table |= bit;
			t.open_modify |= terms.modify_all;
		}
	}
	if (files.has_files())
		t.pass_all |= renaming_kinds;
	t.files = files.files();
	for (const PrefilterFile &f : t.files)
		t.dir_bits |= f.bits & (GUARD_FILTER_DIR_ANY | GUARD_FILTER_DIR_MODIFY | GUARD_FILTER_DIR_CREATE);
	for (const auto &[port, kinds] : ports)
		t.ports.push_back({port, kinds});
	pass_whole_when_too_many(t, cidrs);
	t.cidrs = nested(t.cidrs);
	task_tables(t, comms, uids);
	t.task_only = task_decided & ~not_task_decided & ~t.pass_all;
	struct stat root {};
	if (::stat("/", &root) == 0) {
		t.root_dev = kernel_dev(root.st_dev);
		t.root_ino = root.st_ino;
	}
	return t;
}

} // namespace guard
