#include "host/admin/unix_http_client.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "host/admin/os_error.hpp"
#include "host/admin/unique_fd.hpp"

namespace weft::host::admin {
namespace {

HttpFetch failure(const std::filesystem::path& socket, std::string_view what) {
    return HttpFetch{std::nullopt, fmt::format("admin socket {}: {}", socket.string(), what)};
}

std::string hint(int error) {
    if (error == ENOENT) return " (is weftd running, and is this its admin.socket?)";
    if (error == ECONNREFUSED) return " (nothing serves it: a stale socket of a stopped weftd?)";
    if (error == EACCES) return " (the socket is mode 0660: run as weftd's user or group)";
    return {};
}

void set_timeouts(int fd, std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// "HTTP/1.1 200 OK\r\nName: value\r\n...\r\n\r\nbody" -> reply; empty with `why` if malformed.
std::optional<HttpReply> parse(std::string_view raw, std::string& why) {
    const std::size_t head_end = raw.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
        why = "the answer ended before its headers did";
        return std::nullopt;
    }
    std::string_view head = raw.substr(0, head_end);
    std::string_view body = raw.substr(head_end + 4);
    const std::size_t line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    HttpReply reply;
    // "HTTP/1.x NNN reason"
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
        why = fmt::format("not an HTTP answer: \"{}\"", status_line.substr(0, 40));
        return std::nullopt;
    }
    const char* digits = status_line.data() + 9;
    const auto [end, ec] = std::from_chars(digits, digits + 3, reply.status);
    if (ec != std::errc{} || end != digits + 3 || reply.status < 100) {
        why = fmt::format("bad HTTP status line: \"{}\"", status_line);
        return std::nullopt;
    }
    reply.reason = std::string(trim(status_line.substr(12)));
    std::optional<std::size_t> length;
    head = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
    while (!head.empty()) {
        const std::size_t eol = head.find("\r\n");
        const std::string_view line = head.substr(0, eol);
        head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view name = trim(line.substr(0, colon));
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "Content-Type")) reply.content_type = std::string(value);
        if (iequals(name, "Transfer-Encoding") && !iequals(value, "identity")) {
            why = fmt::format("unsupported Transfer-Encoding \"{}\"", value);
            return std::nullopt;
        }
        if (iequals(name, "Content-Length")) {
            std::size_t n = 0;
            const auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (e != std::errc{} || p != value.data() + value.size()) {
                why = fmt::format("bad Content-Length \"{}\"", value);
                return std::nullopt;
            }
            length = n;
        }
    }
    if (length) {
        if (body.size() < *length) {
            why = fmt::format("the answer ended after {} of {} body bytes", body.size(), *length);
            return std::nullopt;
        }
        body = body.substr(0, *length);
    }
    reply.body = std::string(body);
    return reply;
}

}  // namespace

HttpFetch http_request_unix(const std::filesystem::path& socket, std::string_view method,
                            std::string_view target, std::chrono::milliseconds timeout) {
    sockaddr_un address{};
    if (socket.empty() || socket.native().size() >= sizeof address.sun_path)
        return failure(socket, "not a usable Unix socket path (1 to 107 bytes)");
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket.c_str(), socket.native().size() + 1);

    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return failure(socket, "cannot create a socket: " + os_error(errno));
    set_timeouts(fd.get(), timeout);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        return failure(socket, "cannot connect: " + os_error(error) + hint(error));
    }

    const std::string request = fmt::format(
        "{} {} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: weftd\r\nConnection: close\r\n\r\n",
        method, target);
    for (std::size_t sent = 0; sent < request.size();) {
        // MSG_NOSIGNAL: a daemon that closes early must not kill the client with SIGPIPE.
        const ssize_t n =
            ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return failure(socket, "cannot send the request: " + os_error(errno));
        sent += static_cast<std::size_t>(n);
    }

    std::string raw;
    char buffer[16 * 1024];
    while (true) {
        const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (n == 0) break;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK)
                return failure(socket,
                               fmt::format("no complete answer within {} ms", timeout.count()));
            return failure(socket, "cannot read the answer: " + os_error(error));
        }
        raw.append(buffer, static_cast<std::size_t>(n));
    }
    std::string why;
    auto reply = parse(raw, why);
    if (!reply) return failure(socket, "bad answer: " + why);
    return HttpFetch{std::move(reply), {}};
}

}  // namespace weft::host::admin
