// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/path_normalize.h"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace guard {

namespace {

// True when an absolute path has no empty, "." or ".." component and no
// trailing slash: nearly every path the kernel reports, checked in one pass
// without the copy and compare of the general case. Only a slash followed by
// '/' or '.' can start a bad component; SSE2 (x86-64's baseline) finds those
// 16 bytes at a time, and each is looked at closely.
bool is_canonical(std::string_view p)
{
	const size_t n = p.size();
	if (p[n - 1] == '/')
		return n == 1; // "/" alone is canonical
	// p[i] is a slash, and not the last byte.
	auto bad_after = [&](size_t i) {
		size_t k = i + 1;
		if (p[k] == '/')
			return true;
		if (p[k] != '.')
			return false;
		return k + 1 == n || p[k + 1] == '/' || (p[k + 1] == '.' && (k + 2 == n || p[k + 2] == '/'));
	};
	size_t i = 0;
#if defined(__SSE2__)
	auto block = [&](size_t at) {
		__m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p.data() + at));
		__m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p.data() + at + 1));
		const __m128i slash = _mm_set1_epi8('/'), dot = _mm_set1_epi8('.');
		unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(here, slash))) &
			     static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(next, slash), _mm_cmpeq_epi8(next, dot))));
		for (; m; m &= m - 1)
			if (bad_after(at + static_cast<size_t>(std::countr_zero(m))))
				return false;
		return true;
	};
	// Each block reads p[at .. at+16]; the last one overlaps the one before.
	if (n >= 17) {
		for (; i + 17 <= n; i += 16)
			if (!block(i))
				return false;
		return i + 1 >= n || block(n - 17);
	}
#endif
	for (; i + 1 < n; i++)
		if (p[i] == '/' && bad_after(i))
			return false;
	return true;
}

} // namespace

std::string_view normalize_path(std::string_view path, char *out)
{
	if (path.empty() || path[0] != '/' || is_canonical(path))
		return path;
	size_t n = 0; // bytes written to out; out[0] is always '/'
	out[n++] = '/';
	size_t i = 0;
	while (i < path.size()) {
		while (i < path.size() && path[i] == '/')
			i++;
		size_t start = i;
		while (i < path.size() && path[i] != '/')
			i++;
		std::string_view part = path.substr(start, i - start);
		if (part.empty() || part == ".")
			continue;
		if (part == "..") {
			while (n > 1 && out[n - 1] != '/')
				n--; // drop the last component...
			if (n > 1)
				n--; // ...and the slash before it
			continue;
		}
		if (n > 1)
			out[n++] = '/';
		std::memcpy(out + n, part.data(), part.size());
		n += part.size();
	}
	return std::string_view(out, n);
}

namespace {

void normalize_into(std::string_view &path, std::string_view &given, char *out)
{
	std::string_view canonical = normalize_path(path, out);
	if (canonical.data() != path.data()) {
		given = path;
		path = canonical;
	}
}

} // namespace

bool is_dynamic_loader(std::string_view path)
{
	std::string_view name = path.substr(path.rfind('/') + 1);
	return (name.starts_with("ld-") || name.starts_with("ld.so") || name.starts_with("ld64.so")) &&
	       name.find(".so") != std::string_view::npos;
}

std::string_view loader_program(std::string_view argv, uint32_t argc)
{
	// ld.so's options that take a value (glibc's rtld and musl's alike).
	constexpr std::string_view with_value[] = {"--library-path", "--inhibit-rpath", "--audit", "--preload",
						   "--argv0", "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask"};
	bool skip_value = false;
	size_t at = 0;
	for (uint32_t i = 0; i < argc && at <= argv.size(); i++) {
		size_t nul = argv.find('\0', at);
		std::string_view arg = argv.substr(at, nul == std::string_view::npos ? std::string_view::npos : nul - at);
		at = nul == std::string_view::npos ? argv.size() + 1 : nul + 1;
		if (i == 0)
			continue;
		if (skip_value) {
			skip_value = false;
			continue;
		}
		if (arg == "--")
			return at <= argv.size() ? argv.substr(at, argv.find('\0', at) - at) : std::string_view();
		if (!arg.starts_with("--"))
			return arg;
		for (std::string_view option : with_value)
			skip_value |= arg == option;
	}
	return {};
}

namespace {

// A name a process gave, relative to cwd unless absolute, made absolute and
// canonical. A name with no slash given to ld.so is looked up in its
// library path, not the cwd: it stays as given.
std::string_view absolute_name(std::string_view name, std::string_view cwd, bool join_bare, PathScratch &s)
{
	if (name.empty() || cwd.empty() || name[0] == '/' || (!join_bare && name.find('/') == std::string_view::npos))
		return normalize_path(name, s.exec);
	size_t n = 0;
	std::memcpy(s.joined, cwd.data(), cwd.size());
	n += cwd.size();
	s.joined[n++] = '/';
	std::memcpy(s.joined + n, name.data(), name.size());
	n += name.size();
	return normalize_path(std::string_view(s.joined, n), s.exec);
}

void resolve_exec_path(Record &rec, PathScratch &s)
{
	rec.interpreter = {};
	if (rec.header.kind == GUARD_RECORD_EXEC_FAILED || rec.exe.empty()) {
		rec.path = absolute_name(rec.path_given, rec.cwd, true, s);
	} else if (rec.header.flags & GUARD_EXEC_INTERPRETED) {
		rec.interpreter = rec.exe;
		rec.path = absolute_name(rec.path_given, rec.cwd, true, s);
	} else if (std::string_view program; is_dynamic_loader(rec.exe) &&
					      !(program = loader_program(rec.argv, rec.argc)).empty()) {
		rec.interpreter = rec.exe;
		rec.path = absolute_name(program, rec.cwd, false, s);
	} else {
		rec.path = rec.exe;
	}
	if (rec.path_given == rec.path)
		rec.path_given = {};
}

} // namespace

void normalize_record_paths(Record &rec, PathScratch &scratch)
{
	switch (record_family(rec.header.kind)) {
	case RecordFamily::exec:
		resolve_exec_path(rec, scratch);
		break;
	case RecordFamily::file: {
		// A symlink's path2 is its target, text as given: left alone.
		if (rec.header.kind == GUARD_RECORD_FILE_RENAME || rec.header.kind == GUARD_RECORD_FILE_LINK)
			normalize_into(rec.path2, rec.path2_given, scratch.path2);
		std::string_view kernel_form;
		normalize_into(rec.path, kernel_form, scratch.path);
		if (rec.path_given == rec.path)
			rec.path_given = {};
		break;
	}
	default:
		break;
	}
}

} // namespace guard
