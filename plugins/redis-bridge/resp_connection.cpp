// RespConnection: see resp_connection.hpp.
#include "resp_connection.hpp"

#include <cstdlib>
#include <optional>
#include <vector>

#include "bridge_config.hpp"

namespace redis_bridge {

std::string describe(const redisReply* reply) {
    if (reply == nullptr) return "no reply";
    switch (reply->type) {
        case REDIS_REPLY_ERROR:
            return std::string(reply->str, reply->len);
        case REDIS_REPLY_STATUS:
        case REDIS_REPLY_STRING: {
            // Appended, not built with operator+: GCC 12 at -O3 reports a false -Wrestrict for
            // `"\"" + std::string(...)` (GCC bug 105329).
            std::string quoted;
            quoted.reserve(reply->len + 2);
            quoted += '"';
            quoted.append(reply->str, reply->len);
            quoted += '"';
            return quoted;
        }
        case REDIS_REPLY_INTEGER:
            return std::to_string(reply->integer);
        case REDIS_REPLY_NIL:
            return "nil";
        case REDIS_REPLY_ARRAY:
            return "an array of " + std::to_string(reply->elements);
        default:
            return "a reply of type " + std::to_string(reply->type);
    }
}

std::string_view text_of(const redisReply* reply) noexcept {
    if (reply == nullptr) return {};
    if (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS) return {};
    return {reply->str, reply->len};
}

weft::Task<RespConnection> RespConnection::open(std::string address,
                                                std::chrono::milliseconds connect_timeout,
                                                std::chrono::milliseconds reply_timeout,
                                                std::string username, std::string password) {
    RespConnection c;
    if (is_unix_address(address)) {
        c.stream_ = co_await weft::Stream::connect_unix(address.substr(5), connect_timeout);
    } else {
        c.stream_ = co_await weft::Stream::connect(address, connect_timeout);
        c.stream_.set_nodelay(true);
    }
    c.reply_timeout_ = reply_timeout;
    c.reader_.reset(redisReaderCreate());
    if (!c.reader_) throw weft::Error(WEFT_ERR_NO_MEMORY, "redisReaderCreate");
    if (!password.empty()) {
        std::vector<std::string_view> auth{"AUTH"};
        if (!username.empty()) auth.emplace_back(username);
        auth.emplace_back(password);
        Reply r = co_await c.command(auth);
        if (r->type == REDIS_REPLY_ERROR)
            throw weft::Error(WEFT_ERR_IO,
                              "AUTH refused by Redis at " + address + ": " + describe(r.get()));
    }
    co_return c;
}

void RespConnection::close() noexcept {
    stream_.close();
    reader_.reset();
    out_.clear();
}

void RespConnection::append(std::span<const std::string_view> args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (auto a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    char* cmd = nullptr;
    const int n =
        redisFormatCommandArgv(&cmd, static_cast<int>(argv.size()), argv.data(), lens.data());
    if (n < 0 || cmd == nullptr) throw weft::Error(WEFT_ERR_NO_MEMORY, "redisFormatCommandArgv");
    out_.append(cmd, static_cast<std::size_t>(n));
    redisFreeCommand(cmd);
}

void RespConnection::too_slow(const char* what, std::chrono::milliseconds limit) {
    close();
    throw weft::Error(WEFT_ERR_TIMED_OUT, "Redis did not " + std::string(what) + " within " +
                                              std::to_string(limit.count()) + " ms");
}

weft::Task<> RespConnection::flush() {
    if (out_.empty()) co_return;
    if (!stream_.valid()) throw weft::Error(WEFT_ERR_CLOSED, "Redis connection closed");
    bool written = false;
    try {
        written = co_await weft::timeout(reply_timeout_, stream_.write_all(out_));
    } catch (...) {
        close();
        throw;
    }
    if (!written) too_slow("take the commands", reply_timeout_);
    out_.clear();
}

weft::Task<Reply> RespConnection::read_reply(std::chrono::milliseconds blocked) {
    const auto limit = reply_timeout_ + blocked;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
        if (!reader_ || !stream_.valid())
            throw weft::Error(WEFT_ERR_CLOSED, "Redis connection closed");
        void* raw = nullptr;
        if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
            const std::string why = reader_->errstr;
            close();
            throw weft::Error(WEFT_ERR_IO, "Redis protocol error: " + why);
        }
        if (raw != nullptr) co_return Reply(static_cast<redisReply*>(raw));
        char buf[64 * 1024];
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= std::chrono::milliseconds(0)) too_slow("answer", limit);
        std::optional<std::size_t> read;
        try {
            read = co_await weft::timeout(left, stream_.read(buf, sizeof buf));
        } catch (...) {
            close();
            throw;
        }
        if (!read) too_slow("answer", limit);
        const std::size_t n = *read;
        if (n == 0) {
            close();
            throw weft::Error(WEFT_ERR_CONNECTION_RESET, "Redis closed the connection");
        }
        if (redisReaderFeed(reader_.get(), buf, n) != REDIS_OK) {
            close();
            throw weft::Error(WEFT_ERR_NO_MEMORY, "redisReaderFeed");
        }
    }
}

weft::Task<Reply> RespConnection::command(std::span<const std::string_view> args,
                                          std::chrono::milliseconds blocked) {
    append(args);
    co_await flush();
    co_return co_await read_reply(blocked);
}

}  // namespace redis_bridge
