// RespConnection: one connection to Redis, on weft's async streams (plugin.h 6.12), speaking RESP
// through hiredis's command formatter (redisFormatCommandArgv) and reply parser (redisReader).
// hiredis never touches the socket: weft's stream reads and writes, so no thread blocks.
//
// Commands are appended to an output buffer and sent together by flush() (pipelining); replies
// are then read in the same order with read_reply(). Any I/O or protocol failure, and a flush or
// a reply that takes longer than the connection's reply timeout, throws weft::Error and leaves
// the connection unusable: the caller drops it and reconnects.
//
// Thread-safety: one task uses a connection at a time.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <weft/plugin.hpp>

namespace redis_bridge {

struct ReplyDeleter {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// The text of a reply for a log line: an error's message, or its type.
[[nodiscard]] std::string describe(const redisReply* reply);
// A bulk or simple string's bytes (empty for any other type).
[[nodiscard]] std::string_view text_of(const redisReply* reply) noexcept;

class RespConnection {
   public:
    RespConnection() = default;
    RespConnection(RespConnection&&) noexcept = default;
    RespConnection& operator=(RespConnection&&) noexcept = default;

    // Connects to `address` ("host:port" or "unix:/path") within `connect_timeout`, sends AUTH
    // when `password` is not empty and checks its reply. `reply_timeout` bounds every flush and
    // every reply from then on. Throws weft::Error (the OS's or Redis's reason).
    static weft::Task<RespConnection> open(std::string address,
                                           std::chrono::milliseconds connect_timeout,
                                           std::chrono::milliseconds reply_timeout,
                                           std::string username, std::string password);

    [[nodiscard]] bool valid() const noexcept { return stream_.valid(); }
    void close() noexcept;

    // Appends one command (its arguments as bytes) to the output buffer.
    void append(std::span<const std::string_view> args);
    // Writes the whole output buffer.
    weft::Task<> flush();
    // The next reply (error replies included: the caller checks reply->type), within the reply
    // timeout plus `blocked` (the BLOCK of a command that may wait that long on purpose).
    weft::Task<Reply> read_reply(std::chrono::milliseconds blocked = {});
    // append + flush + read_reply.
    weft::Task<Reply> command(std::span<const std::string_view> args,
                              std::chrono::milliseconds blocked = {});

    [[nodiscard]] std::size_t buffered() const noexcept { return out_.size(); }

   private:
    struct ReaderDeleter {
        void operator()(redisReader* r) const noexcept { redisReaderFree(r); }
    };

    // Closes the connection and throws: Redis took longer than `limit` to `what`.
    [[noreturn]] void too_slow(const char* what, std::chrono::milliseconds limit);

    weft::Stream stream_;
    std::chrono::milliseconds reply_timeout_{};
    std::unique_ptr<redisReader, ReaderDeleter> reader_;
    std::string out_;
};

}  // namespace redis_bridge
