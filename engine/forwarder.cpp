// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/forwarder.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/journal_message.h"

namespace guard {

namespace {

constexpr size_t kChunkBytes = 256 * 1024; // lines taken from the queue at once
constexpr int kConnectTimeoutMs = 2000;
constexpr std::chrono::milliseconds kFirstBackoff{100}, kMaxBackoff{5000};
constexpr int kWaitSliceMs = 100; // a blocked send looks at stop() this often

size_t count_lines(std::string_view s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

} // namespace

Forwarder::Forwarder(ForwardTarget target, SyslogIdentity identity, size_t queue_bytes)
	: target_(std::move(target)), identity_(std::move(identity)), capacity_(queue_bytes)
{
	stats_.name = target_.name;
	queue_.reserve(capacity_);
	thread_ = std::thread([this] { run(); });
}

Forwarder::~Forwarder() { stop(std::chrono::milliseconds(0)); }

void Forwarder::push(std::string_view lines)
{
	size_t count = count_lines(lines);
	if (count == 0)
		return;
	std::lock_guard lock(mu_);
	stats_.emitted += count;
	if (head_ > 0 && queue_.size() + lines.size() > capacity_) {
		queue_.erase(0, head_);
		head_ = 0;
	}
	if (queue_.size() + lines.size() <= capacity_) {
		queue_.append(lines);
	} else {
		// Full: the lines that still fit go in, the others are dropped whole.
		for (size_t at = 0; at < lines.size();) {
			size_t end = lines.find('\n', at) + 1;
			if (end == 0)
				break;
			if (queue_.size() + (end - at) <= capacity_)
				queue_.append(lines.substr(at, end - at));
			else
				stats_.dropped_queue_full++;
			at = end;
		}
	}
	wake_.notify_one();
}

void Forwarder::stop(std::chrono::milliseconds within)
{
	{
		std::lock_guard lock(mu_);
		if (!thread_.joinable() || stopping_)
			return;
		stopping_ = true;
		stop_by_ = Clock::now() + within;
	}
	wake_.notify_one();
	thread_.join();
}

ForwardStats Forwarder::stats() const
{
	std::lock_guard lock(mu_);
	ForwardStats s = stats_;
	s.queued = s.emitted - s.sent - s.dropped();
	s.queued_bytes = queue_.size() - head_;
	return s;
}

void Forwarder::run()
{
	std::string chunk;
	std::unique_lock lock(mu_);
	for (;;) {
		if (head_ == queue_.size()) {
			if (stopping_)
				break;
			wake_.wait(lock, [this] { return stopping_ || head_ != queue_.size(); });
			continue;
		}
		if (stopping_ && Clock::now() >= stop_by_)
			break;
		if (!ensure_connected(lock))
			continue;
		take_chunk(chunk);
		lock.unlock();
		size_t done = 0;
		bool ok = send_chunk(chunk, done);
		int err = errno;
		lock.lock();
		head_ += done;
		if (!ok)
			disconnect(err);
	}
	stats_.dropped_at_exit += count_lines(std::string_view(queue_).substr(head_));
	head_ = queue_.size();
	if (fd_ >= 0)
		::close(fd_);
	fd_ = -1;
	stats_.connected = false;
}

// Connected, or a connect tried (false: the loop goes round again, after
// the backoff's wait).
bool Forwarder::ensure_connected(std::unique_lock<std::mutex> &lock)
{
	if (fd_ >= 0)
		return true;
	Clock::time_point now = Clock::now();
	if (now < next_attempt_) {
		wake_.wait_until(lock, stopping_ ? std::min(next_attempt_, stop_by_) : next_attempt_);
		return false;
	}
	lock.unlock();
	int fd = connect_target(target_, kConnectTimeoutMs);
	int err = errno;
	lock.lock();
	if (fd < 0) {
		stats_.last_error = err;
		backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(2 * backoff_, kMaxBackoff);
		next_attempt_ = Clock::now() + backoff_;
		if (!reported_failing_)
			std::fprintf(stderr,
				     "guard: %s: connect: %s; lines wait in a queue of %zu MiB (then are dropped and "
				     "counted), connecting again every %lld ms at most\n",
				     target_.name.c_str(), std::strerror(err), capacity_ >> 20,
				     static_cast<long long>(kMaxBackoff.count()));
		reported_failing_ = true;
		return false;
	}
	if (reported_failing_)
		std::fprintf(stderr, "guard: %s: connected again\n", target_.name.c_str());
	reported_failing_ = false;
	fd_ = fd;
	backoff_ = {};
	stats_.connects++;
	stats_.connected = true;
	return true;
}

void Forwarder::disconnect(int err)
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = -1;
	stats_.connected = false;
	stats_.last_error = err;
	if (!reported_failing_)
		std::fprintf(stderr, "guard: %s: %s; connecting again (lines wait in the queue)\n", target_.name.c_str(),
			     err ? std::strerror(err) : "the receiver closed the connection");
	reported_failing_ = true;
	backoff_ = kFirstBackoff;
	next_attempt_ = Clock::now() + backoff_;
}

// Whole lines from the queue's head, about kChunkBytes (at least one line).
size_t Forwarder::take_chunk(std::string &chunk) const
{
	size_t end = std::min(queue_.size(), head_ + kChunkBytes);
	if (end < queue_.size()) {
		size_t nl = queue_.rfind('\n', end - 1);
		if (nl == std::string::npos || nl < head_)
			nl = queue_.find('\n', end);
		end = nl + 1;
	}
	chunk.assign(queue_, head_, end - head_);
	return chunk.size();
}

bool Forwarder::send_chunk(const std::string &chunk, size_t &done_bytes)
{
	return target_.protocol == ForwardProtocol::syslog_tcp ? send_stream(chunk, done_bytes)
								 : send_datagrams(chunk, done_bytes);
}

// TCP: every line one octet-counted frame (RFC 6587 3.4.1), the chunk's
// frames in as few sends as the socket takes.
bool Forwarder::send_stream(const std::string &chunk, size_t &done_bytes)
{
	if (peer_closed())
		return false;
	std::string timestamp = syslog_timestamp_now();
	wire_.clear();
	frame_ends_.clear();
	std::string message;
	for (size_t at = 0; at < chunk.size();) {
		size_t end = chunk.find('\n', at) + 1;
		message.clear();
		append_syslog_message(message, identity_, timestamp, std::string_view(chunk).substr(at, end - at));
		wire_ += std::to_string(message.size());
		wire_ += ' ';
		wire_ += message;
		frame_ends_.push_back(wire_.size());
		at = end;
	}
	size_t off = 0;
	bool ok = true;
	while (off < wire_.size()) {
		ssize_t n = ::send(fd_, wire_.data() + off, wire_.size() - off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			off += static_cast<size_t>(n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (wait_writable())
				continue;
			break; // out of time (stopping): not the connection's fault
		}
		ok = false;
		break;
	}
	int err = errno;
	size_t frames = static_cast<size_t>(std::upper_bound(frame_ends_.begin(), frame_ends_.end(), off) - frame_ends_.begin());
	// The chunk's bytes of those frames' lines.
	size_t at = 0;
	for (size_t i = 0; i < frames; i++)
		at = chunk.find('\n', at) + 1;
	done_bytes = at;
	{
		std::lock_guard lock(mu_);
		stats_.sent += frames;
	}
	errno = err;
	return ok;
}

// UDP, a unix socket, journald: one line, one datagram.
bool Forwarder::send_datagrams(const std::string &chunk, size_t &done_bytes)
{
	std::string timestamp = syslog_timestamp_now();
	uint64_t sent = 0, unsendable = 0;
	bool ok = true;
	size_t at = 0;
	while (at < chunk.size()) {
		size_t end = chunk.find('\n', at) + 1;
		std::string_view line = std::string_view(chunk).substr(at, end - at);
		wire_.clear();
		if (target_.protocol == ForwardProtocol::journald)
			append_journal_entry(wire_, line);
		else
			append_syslog_message(wire_, identity_, timestamp, line);
		int err = send_datagram(wire_);
		if (err == EMSGSIZE && target_.protocol == ForwardProtocol::journald)
			err = send_journal_memfd(wire_) ? 0 : errno;
		if (err == EAGAIN || err == ENOBUFS) {
			if (wait_writable())
				continue;
			break; // out of time (stopping)
		}
		if (err == 0)
			sent++;
		else if (err == EMSGSIZE)
			unsendable++;
		else {
			errno = err;
			ok = false;
			break;
		}
		at = end;
	}
	int err = errno;
	done_bytes = at;
	{
		std::lock_guard lock(mu_);
		stats_.sent += sent;
		stats_.dropped_unsendable += unsendable;
	}
	errno = err;
	return ok;
}

int Forwarder::send_datagram(std::string_view data)
{
	for (;;) {
		if (::send(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return errno;
	}
}

// An entry too large for a datagram goes, as journald's protocol has it, in
// a sealed memfd whose descriptor is the datagram's only content.
bool Forwarder::send_journal_memfd(std::string_view entry)
{
	int mfd = ::memfd_create("guard-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return false;
	bool ok = true;
	for (size_t off = 0; ok && off < entry.size();) {
		ssize_t n = ::write(mfd, entry.data() + off, entry.size() - off);
		ok = n > 0 || (n < 0 && errno == EINTR);
		off += n > 0 ? static_cast<size_t>(n) : 0;
	}
	ok = ok && ::fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0;
	if (ok) {
		alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
		struct msghdr m {};
		m.msg_control = control;
		m.msg_controllen = sizeof(control);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		std::memcpy(CMSG_DATA(c), &mfd, sizeof(int));
		ok = ::sendmsg(fd_, &m, MSG_NOSIGNAL) >= 0;
	}
	int err = errno;
	::close(mfd);
	errno = err;
	return ok;
}

// Until the socket takes more (true), or stop()'s time is up (false).
bool Forwarder::wait_writable()
{
	for (;;) {
		{
			std::lock_guard lock(mu_);
			if (stopping_ && Clock::now() >= stop_by_)
				return false;
		}
		struct pollfd p = {fd_, POLLOUT, 0};
		int n = ::poll(&p, 1, kWaitSliceMs);
		if (n > 0)
			return true;
	}
}

// A syslog receiver says nothing: anything readable is its close (or a
// reset), found before lines are sent into a connection already dead.
bool Forwarder::peer_closed()
{
	char buf[512];
	for (;;) {
		ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0) {
			errno = 0;
			return true;
		}
		return errno != EAGAIN && errno != EINTR;
	}
}

} // namespace guard
