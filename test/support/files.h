/* SPDX-License-Identifier: GPL-2.0-or-later */
// Small helpers shared by the tests: reading files (base/file.h), temp directories.
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/file.h"

namespace guard::test {

// A fresh directory under /tmp, removed with everything in it.
struct TempDir {
	std::string path;
	explicit TempDir(const std::string &prefix = "guard-test")
	{
		std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
		if (!::mkdtemp(tmpl.data()))
			throw std::runtime_error("mkdtemp " + tmpl + " failed");
		path = tmpl;
	}
	~TempDir() { std::filesystem::remove_all(path); }
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;
	std::string write(const std::string &name, const std::string &text) const
	{
		std::string p = path + "/" + name;
		std::ofstream(p) << text;
		return p;
	}
};

} // namespace guard::test
