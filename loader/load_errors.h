/* SPDX-License-Identifier: GPL-2.0-or-later */
// Errors a caller branches on, apart from the rest: a program the verifier
// refused (its log kept apart from the message), and something this kernel
// cannot do at all (a program type, trampolines, a probe PMU). Both keep
// their type through with_context (base/error.h).
#pragma once

#include <string>
#include <utility>

#include "base/error.h"

namespace guard {

class VerifierRejection : public Error {
public:
	VerifierRejection(std::string message, std::string log) : Error(std::move(message)), log_(std::move(log)) {}
	// The tail of the verifier's log: the instruction it refused and why.
	const std::string &log() const { return log_; }

private:
	std::string log_;
};

class NotSupportedByKernel : public Error {
public:
	using Error::Error;
};

} // namespace guard
