/* SPDX-License-Identifier: GPL-2.0-or-later */
// `extern ... __kconfig` variables: the running kernel's configuration, as
// libbpf offers it. A program reads CONFIG_HZ, CONFIG_BPF_SYSCALL or
// LINUX_KERNEL_VERSION as if they were read-only globals; the loader lays
// them out in a map ".kconfig" (frozen and read-only to programs, so the
// verifier takes them as constants and drops code they rule out) and fills
// it when it loads the object, from /proc/config.gz (else
// /boot/config-<release>), uname(2) and what the kernel answers (KernelFacts).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "loader/elf_file.h"
#include "loader/object_spec.h"

namespace guard {

// The spec's part, no system call: the map and its variables from the BTF
// DATASEC .kconfig (laid out by fixup_datasecs). Returns the map's index in
// spec.maps, or SIZE_MAX when the object declares none.
size_t read_kconfig_externs(const ElfFile &elf, ObjectSpec &spec);

// Option -> value as the config file writes it: "y", "m", "100", "\"text\"";
// "# CONFIG_X is not set" gives "n".
using KernelConfig = std::map<std::string, std::string, std::less<>>;
KernelConfig parse_kernel_config(std::string_view text);
// The running kernel's. Throws Error when neither file can be read.
KernelConfig read_kernel_config();

// "6.18.44-fc-v769" -> KERNEL_VERSION(6, 18, 44), the sublevel capped at 255
// as the kernel's own macro does.
uint32_t kernel_version_code(std::string_view release);

// The externs libbpf answers itself, named LINUX_*: no config file holds
// them, the running kernel does.
struct KernelFacts {
	uint32_t version_code = 0;        // LINUX_KERNEL_VERSION
	bool has_syscall_wrapper = false; // LINUX_HAS_SYSCALL_WRAPPER: syscalls enter through
	                                  // __x64_sys_* (pt_regs) wrappers, 4.17+ on x86_64
	bool has_bpf_cookie = false;      // LINUX_HAS_BPF_COOKIE: bpf_get_attach_cookie() (5.15)
};
// The running kernel's, asking only what spec's externs name (the cookie
// is a program load, the wrapper a walk of /proc/kallsyms).
KernelFacts read_kernel_facts(const ObjectSpec &spec);

// Writes each extern's value into `value` (the .kconfig map's bytes).
// Throws Error naming the variable: an option the config lacks that is not
// __weak, or a value its type cannot hold.
void fill_kconfig(const ObjectSpec &spec, const KernelConfig &config, const KernelFacts &facts,
		  std::vector<uint8_t> &value);

} // namespace guard
