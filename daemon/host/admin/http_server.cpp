// The server thread: one poll() loop over the listening socket, a stop eventfd, a "slow answer
// ready" eventfd and at most max_connections connections. Each connection goes through these
// phases:
//   reading    until its request head is complete (or refused); deadline: the earlier of
//              opened + header_timeout and last byte + idle_timeout; then 408.
//   waiting    for a slow answer (HttpResponse::later), which runs on a thread of its own; no
//              deadline (a reload takes as long as it takes) and its socket is not polled. The
//              thread sets the answer, then writes the eventfd: a wake-up always finds it set.
//   writing    its answer; deadline: answer ready + write_timeout; then closed.
//   lingering  shut down for writing, dropping what the client still sends, until it closes or
//              `linger` passes.
// Connections in the reading or lingering phase are the ones closed to make room for a new one.
#include "host/admin/http_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "host/admin/os_error.hpp"

namespace weft::host::admin {
namespace {

using Clock = std::chrono::steady_clock;

// Accepting is bounded per turn of the loop so that a flood of connections cannot starve the
// ones already open.
constexpr int kAcceptsPerTurn = 64;
// What a lingering connection may still send before it is closed anyway.
constexpr std::size_t kMaxLingerBytes = 64 * 1024;
// How long accepting pauses when the process is out of file descriptors.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
// An operator hears about a connection flood, but not once per connection.
constexpr auto kFloodWarningInterval = std::chrono::minutes(1);
// Slow answers running at once. weftd's reloads run one at a time, so a few waiting is plenty;
// more get 429 rather than a thread each.
constexpr std::size_t kMaxSlowAnswers = 4;

enum class Phase { reading, waiting, writing, lingering };

void signal_eventfd(int fd) noexcept {
    const std::uint64_t one = 1;
    // An eventfd write of 1 cannot fail short of a counter overflow.
    [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof one);
}

// A slow answer being computed. Dropping it joins its thread: no handler call outlives the
// server.
struct SlowAnswer {
    std::future<HttpResponse> response;
    std::jthread thread;  // declared last: joined before the future goes
};

struct Connection {
    UniqueFd fd;
    Phase phase = Phase::reading;
    Clock::time_point opened;
    Clock::time_point deadline;
    HttpExchange exchange;
    std::string out;  // the answer being written
    std::size_t sent = 0;
    std::size_t dropped = 0;           // bytes read and ignored while lingering
    std::unique_ptr<SlowAnswer> slow;  // while waiting
};

class Loop {
   public:
    Loop(int listening, int wake, int slow_done, const HttpHandler& handler,
         const std::string& where, const HttpLimits& limits)
        : listening_(listening),
          wake_(wake),
          slow_done_(slow_done),
          handler_(handler),
          where_(where),
          limits_(limits) {}

    void run() {
        std::vector<pollfd> fds;
        while (true) {
            expire(Clock::now());
            fds.clear();
            fds.push_back(pollfd{wake_, POLLIN, 0});
            // Out of file descriptors, the listening socket stays readable: wait a little.
            const bool accepting = Clock::now() >= accept_resume_;
            fds.push_back(pollfd{listening_, accepting ? short(POLLIN) : short(0), 0});
            fds.push_back(pollfd{slow_done_, POLLIN, 0});
            for (const Connection& c : connections_) {
                // A negative fd is skipped by poll(): a waiting connection's socket could
                // report a hang-up over and over.
                const int fd = c.phase == Phase::waiting ? -1 : c.fd.get();
                fds.push_back(
                    pollfd{fd, c.phase == Phase::writing ? short(POLLOUT) : short(POLLIN), 0});
            }
            const int ready = ::poll(fds.data(), fds.size(), poll_timeout(Clock::now()));
            if (ready < 0) {
                if (errno == EINTR) continue;
                spdlog::error("admin endpoint {}: poll failed: {}; it stops serving", where_,
                              os_error(errno));
                return;
            }
            if (fds[0].revents != 0) {  // stop
                // A reload that changed the `admin` section stops this server right after it
                // returned: its answer is sent (what the socket takes at once), not dropped.
                finish_slow_answers(Clock::now(), /*wait=*/true);
                return;
            }
            const Clock::time_point now = Clock::now();
            if (fds[2].revents != 0) finish_slow_answers(now, /*wait=*/false);
            for (std::size_t i = 0; i < connections_.size(); ++i) {
                if (fds[i + 3].revents != 0) on_ready(connections_[i], now);
            }
            std::erase_if(connections_, [](const Connection& c) { return !c.fd; });
            if (fds[1].revents != 0) accept_new(now);
        }
    }

   private:
    // Milliseconds until the earliest deadline (rounded up, so it has passed when poll returns).
    int poll_timeout(Clock::time_point now) const {
        if (connections_.empty() && accept_resume_ <= now) return -1;
        Clock::time_point first = accept_resume_ > now ? accept_resume_ : Clock::time_point::max();
        for (const Connection& c : connections_) first = std::min(first, c.deadline);
        if (first <= now) return 0;
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(first - now);
        return static_cast<int>(std::min<std::int64_t>(wait.count(), 60'000));
    }

    void expire(Clock::time_point now) {
        for (Connection& c : connections_) {
            if (c.deadline > now) continue;
            if (c.phase == Phase::reading) {
                spdlog::debug("admin endpoint {}: no complete request within its timeout", where_);
                answer(c, serialize_response(plain_error(408), false), now);
            } else {
                c.fd.reset();  // not reading its answer, or lingered long enough
            }
        }
        std::erase_if(connections_, [](const Connection& c) { return !c.fd; });
    }

    void on_ready(Connection& c, Clock::time_point now) {
        switch (c.phase) {
            case Phase::reading:
                return read_request(c, now);
            case Phase::waiting:
                return;  // not polled
            case Phase::writing:
                return write_answer(c, now);
            case Phase::lingering:
                return drop_input(c);
        }
    }

    void read_request(Connection& c, Clock::time_point now) {
        char buffer[4096];
        const ssize_t n = ::recv(c.fd.get(), buffer, sizeof buffer, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (n <= 0) {
            c.fd.reset();  // gone before asking anything
            return;
        }
        if (c.exchange.feed(std::string_view(buffer, static_cast<std::size_t>(n)), handler_,
                            where_)) {
            if (!c.exchange.answered()) return start_slow_answer(c, now);
            if (c.exchange.status() >= 400 && c.exchange.status() != 404 &&
                c.exchange.status() != 405)
                spdlog::debug("admin endpoint {}: refused a request ({})", where_,
                              c.exchange.status());
            answer(c, c.exchange.answer(), now);
            return;
        }
        c.deadline = std::min(c.opened + limits_.header_timeout, now + limits_.idle_timeout);
    }

    void start_slow_answer(Connection& c, Clock::time_point now) {
        std::function<HttpResponse()> call = c.exchange.take_slow();
        const auto running = std::count_if(connections_.begin(), connections_.end(),
                                           [](const Connection& o) { return o.slow != nullptr; });
        if (static_cast<std::size_t>(running) >= kMaxSlowAnswers) {
            c.exchange.finish(plain_error(
                429, "4 slow requests (reloads) are running; ask again once one has answered"));
            return answer(c, c.exchange.answer(), now);
        }
        std::promise<HttpResponse> promise;
        auto slow = std::make_unique<SlowAnswer>();
        slow->response = promise.get_future();
        slow->thread = std::jthread([call = std::move(call), promise = std::move(promise),
                                     where = where_, done = slow_done_]() mutable {
            promise.set_value(run_slow_answer(call, where));
            signal_eventfd(done);  // after the value is set: the loop finds it ready
        });
        c.slow = std::move(slow);
        c.phase = Phase::waiting;
        c.deadline = Clock::time_point::max();
    }

    // Sends the slow answers that are ready, or with `wait` all of them once they are.
    void finish_slow_answers(Clock::time_point now, bool wait) {
        std::uint64_t count = 0;
        [[maybe_unused]] const ssize_t n = ::read(slow_done_, &count, sizeof count);  // drains it
        for (Connection& c : connections_) {
            if (!c.slow) continue;
            if (!wait &&
                c.slow->response.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
                continue;
            const HttpResponse response = c.slow->response.get();
            c.slow.reset();  // joins the thread, which has nothing left to do
            c.exchange.finish(response);
            answer(c, c.exchange.answer(), now);
        }
    }

    // Moves the connection to writing `text` and writes what the socket takes at once.
    void answer(Connection& c, std::string text, Clock::time_point now) {
        c.phase = Phase::writing;
        c.deadline = now + limits_.write_timeout;
        c.sent = 0;
        c.out = std::move(text);
        write_answer(c, now);
    }

    void write_answer(Connection& c, Clock::time_point now) {
        const std::string& text = c.out;
        while (c.sent < text.size()) {
            const ssize_t n = ::send(c.fd.get(), text.data() + c.sent, text.size() - c.sent,
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n < 0) {
                close(c);
                return;
            }
            c.sent += static_cast<std::size_t>(n);
        }
        c.out = std::string();
        ::shutdown(c.fd.get(), SHUT_WR);
        c.phase = Phase::lingering;
        c.deadline = now + limits_.linger;
    }

    void drop_input(Connection& c) {
        char buffer[4096];
        const ssize_t n = ::recv(c.fd.get(), buffer, sizeof buffer, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (n > 0) c.dropped += static_cast<std::size_t>(n);
        if (n <= 0 || c.dropped > kMaxLingerBytes) close(c);
    }

    static void close(Connection& c) { c.fd.reset(); }

    void accept_new(Clock::time_point now) {
        for (int i = 0; i < kAcceptsPerTurn; ++i) {
            UniqueFd fd(::accept4(listening_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
            if (!fd) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                // EAGAIN: none left. EMFILE and the like: the pending clients stay in the
                // backlog; try again shortly rather than spin on a readable socket.
                if (errno != EAGAIN && errno != EWOULDBLOCK) accept_resume_ = now + kAcceptPause;
                return;
            }
            if (connections_.size() >= limits_.max_connections && !make_room(now)) {
                continue;  // every slot is writing an answer: this client is refused (closed)
            }
            Connection c;
            c.fd = std::move(fd);
            c.opened = now;
            c.deadline = now + std::min(limits_.header_timeout, limits_.idle_timeout);
            connections_.push_back(std::move(c));
        }
    }

    // Closes the connection that has waited longest for its request head (or a lingering one).
    bool make_room(Clock::time_point now) {
        auto oldest = connections_.end();
        for (auto it = connections_.begin(); it != connections_.end(); ++it) {
            if (it->phase == Phase::writing || it->phase == Phase::waiting) continue;
            if (oldest == connections_.end() || it->opened < oldest->opened) oldest = it;
        }
        if (!last_flood_warning_ || now - *last_flood_warning_ >= kFloodWarningInterval) {
            last_flood_warning_ = now;
            spdlog::warn(
                "admin endpoint {}: {} connections open (the limit); closing those that wait "
                "longest for their request to let new clients in",
                where_, limits_.max_connections);
        }
        if (oldest == connections_.end()) return false;
        close(*oldest);
        connections_.erase(oldest);
        return true;
    }

    int listening_;
    int wake_;
    int slow_done_;
    const HttpHandler& handler_;
    const std::string& where_;
    const HttpLimits& limits_;
    std::vector<Connection> connections_;
    std::optional<Clock::time_point> last_flood_warning_;
    Clock::time_point accept_resume_{};
};

}  // namespace

HttpServer::HttpServer(UniqueFd listening, HttpHandler handler, std::string where,
                       HttpLimits limits)
    : handler_(std::move(handler)),
      where_(std::move(where)),
      limits_(limits),
      listening_(std::move(listening)) {
    const int flags = ::fcntl(listening_.get(), F_GETFL);
    if (flags < 0 || ::fcntl(listening_.get(), F_SETFL, flags | O_NONBLOCK) != 0)
        throw std::runtime_error("admin endpoint " + where_ +
                                 ": cannot make the socket non-blocking: " + os_error(errno));
    wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    slow_done_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_ || !slow_done_)
        throw std::runtime_error("admin endpoint " + where_ +
                                 ": cannot create an eventfd: " + os_error(errno));
    thread_ = std::thread([this] { serve(); });
}

HttpServer::~HttpServer() {
    signal_eventfd(wake_.get());  // the loop wakes and returns
    thread_.join();
}

void HttpServer::serve() noexcept {
    try {
        Loop(listening_.get(), wake_.get(), slow_done_.get(), handler_, where_, limits_).run();
    } catch (const std::exception& error) {
        // Only allocation can throw here (a vector or a string growing).
        spdlog::error("admin endpoint {}: stopped serving: {}", where_, error.what());
    }
}

}  // namespace weft::host::admin
