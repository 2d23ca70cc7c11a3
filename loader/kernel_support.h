/* SPDX-License-Identifier: GPL-2.0-or-later */
// What the kernel must offer guard's BPF object, and a check that names what
// is missing (run when loading failed). Each feature is probed the way the kernel judges it
// (a helper is there when the verifier knows it for tracepoint programs),
// not guessed from the version number, which distributions' backports make
// meaningless. The minimum release is the newest feature's.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace guard {

struct KernelFeature {
	std::string_view name;  // "bpf_loop()", "kernel BTF (/sys/kernel/btf/vmlinux)"
	std::string_view since; // the first mainline release with it, "5.17"
	uint32_t helper = 0;    // BPF_FUNC_*, for a helper
	std::string_view path;  // a file that must exist, for a file
	std::string_view kfunc; // a kernel function's name in vmlinux BTF, for a kfunc
};

// Every feature guard's BPF object needs, oldest first; each helper the
// object calls is here (test/unit/kernel_support_test.cpp checks it).
std::span<const KernelFeature> kernel_features();

// "6.2": the newest release in kernel_features().
std::string_view minimum_kernel();

// The features this kernel lacks. Throws Error when the kernel refuses to be
// asked (no privilege to load BPF programs), naming what is needed.
std::vector<const KernelFeature *> missing_kernel_features(std::span<const KernelFeature> features);

// "this kernel (5.10.0) lacks bpf_loop() (Linux 5.17): guard needs Linux 6.2
// or later", or "" when nothing is missing.
std::string describe_missing(const std::vector<const KernelFeature *> &missing);

} // namespace guard
