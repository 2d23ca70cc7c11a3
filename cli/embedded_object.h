/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <cstdint>
#include <span>

extern "C" const uint8_t guard_bpf_object[];
extern "C" const uint8_t guard_bpf_object_end[];

namespace guard {

// The bytes of build/kern/guard.bpf.o, as linked into this binary.
inline std::span<const uint8_t> embedded_bpf_object()
{
	return {guard_bpf_object, static_cast<size_t>(guard_bpf_object_end - guard_bpf_object)};
}

} // namespace guard
