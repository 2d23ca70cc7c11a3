/* SPDX-License-Identifier: GPL-2.0-or-later */
// Errors in set-up code (loading, parsing) carry their context up the stack:
// each layer that knows what it was doing puts its step in front, so the user
// reads "load program handle_exec: verifier: ..." instead of "EACCES".
#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace guard {

class Error : public std::exception {
public:
	explicit Error(std::string message) : message_(std::move(message)) {}
	const char *what() const noexcept override { return message_.c_str(); }
	// Puts "context: " in front of the message, keeping the error's type,
	// so a caller that branches on a subclass still can after with_context.
	void add_context(std::string_view context) { message_.insert(0, std::string(context) + ": "); }

private:
	std::string message_;
};

[[noreturn]] inline void fail(const std::string &message) { throw Error(message); }

// "what: strerror(errno)" for a failed system call.
std::string errno_message(std::string_view what, int err);

// Runs fn; an Error escaping from it gains "context: " in front and keeps
// its type.
template <class Fn>
auto with_context(std::string_view context, Fn &&fn) -> decltype(fn())
{
	try {
		return fn();
	} catch (Error &e) {
		e.add_context(context);
		throw;
	}
}

} // namespace guard
