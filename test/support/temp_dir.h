/* SPDX-License-Identifier: GPL-2.0-or-later */
// A private temporary directory (mode 0700 under /tmp), removed with
// everything in it; and small file helpers around it.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace guard::test {

struct TempDir {
	std::string path;
	explicit TempDir(const char *prefix = "guard-test")
	{
		std::string tmpl = std::string("/tmp/") + prefix + "-XXXXXX";
		if (!::mkdtemp(tmpl.data()))
			throw std::runtime_error("mkdtemp failed");
		path = tmpl;
	}
	~TempDir()
	{
		std::error_code ec;
		std::filesystem::remove_all(path, ec);
	}
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;

	// Writes text to name (mode 0600); returns the full path.
	std::string write(const std::string &name, const std::string &text) const
	{
		std::string p = path + "/" + name;
		std::ofstream(p) << text;
		::chmod(p.c_str(), 0600);
		return p;
	}
};

inline std::string read_text(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

} // namespace guard::test
