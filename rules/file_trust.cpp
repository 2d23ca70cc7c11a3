// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules/file_trust.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace guard::rules {

namespace {

std::string octal(unsigned mode)
{
	char buf[8];
	std::snprintf(buf, sizeof(buf), "%04o", mode);
	return buf;
}

// "" when st may hold policy for guard, else why not. what: "the file" or
// "directory /etc".
std::string owner_and_mode(const struct stat &st, const std::string &what)
{
	if (st.st_uid != 0 && st.st_uid != ::geteuid())
		return what + " is owned by uid " + std::to_string(st.st_uid) + ", not by root or guard's uid " +
		       std::to_string(::geteuid());
	bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_dir)
		return what + " is writable by " + (st.st_mode & S_IWOTH ? "others" : "group") + " (mode " +
		       octal(st.st_mode & 07777) + ")";
	return "";
}

// The file's own path as the kernel resolved it (links followed), so the
// directories checked are those the file really lies in.
std::string resolved_path(int fd, const std::string &path)
{
	char buf[PATH_MAX];
	std::string link = "/proc/self/fd/" + std::to_string(fd);
	ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf) - 1);
	if (n > 0 && buf[0] == '/')
		return std::string(buf, static_cast<size_t>(n));
	char *real = ::realpath(path.c_str(), nullptr);
	if (!real)
		return "";
	std::string out(real);
	::free(real);
	return out;
}

} // namespace

std::string untrusted_reason(int fd, const std::string &path)
{
	struct stat st {};
	if (::fstat(fd, &st) != 0)
		return std::string("fstat: ") + std::strerror(errno);
	std::string why = owner_and_mode(st, "the file");
	if (!why.empty())
		return why;
	std::string real = resolved_path(fd, path);
	if (real.empty())
		return "cannot tell which directory it lies in";
	// Each directory from the file's own up to /.
	for (size_t slash = real.rfind('/'); slash != std::string::npos; slash = real.rfind('/', slash - 1)) {
		std::string dir = slash == 0 ? "/" : real.substr(0, slash);
		if (::stat(dir.c_str(), &st) != 0)
			return "directory " + dir + ": " + std::strerror(errno);
		why = owner_and_mode(st, "directory " + dir);
		if (!why.empty() || slash == 0)
			return why;
	}
	return "";
}

} // namespace guard::rules
