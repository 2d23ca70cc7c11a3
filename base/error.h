/* SPDX-License-Identifier: GPL-2.0-or-later */
// Errors in set-up code (loading, parsing) carry their context up the stack:
// each layer that knows what it was doing puts its step in front, so the user
// reads "load program handle_exec: verifier: ..." instead of "EACCES".
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace guard {

class Error : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string &message) { throw Error(message); }

// "what: strerror(errno)" for a failed system call.
std::string errno_message(std::string_view what, int err);

// Runs fn; an Error escaping from it gains "context: " in front.
template <class Fn>
auto with_context(std::string_view context, Fn &&fn) -> decltype(fn())
{
	try {
		return fn();
	} catch (const Error &e) {
		throw Error(std::string(context) + ": " + e.what());
	}
}

} // namespace guard
