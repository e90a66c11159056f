// The errors shared by weft::sync's channels. Each primitive's own errors live in its header.
//
//   SendError<T>     the receiving side is gone (or closed): the value comes back in `value`.
//   TrySendError<T>  a non-waiting send failed: Full (no capacity now) or Closed; `value` is the
//                    message, returned.
//   TryRecvError     a non-waiting receive found nothing: Empty (senders alive) or Disconnected
//                    (all senders gone and nothing buffered).
//   SendTimeoutError<T>  send_timeout() failed: Timeout or Closed; `value` is the message.
//   ClosedError      the channel is closed (reserve on a closed mpsc channel, ...).
#pragma once

#include <utility>

namespace weft::sync {

template <class T>
struct SendError {
    T value;
    [[nodiscard]] static const char* what() noexcept { return "channel closed"; }
};

template <class T>
struct TrySendError {
    enum class Kind { full, closed };
    Kind kind;
    T value;
    [[nodiscard]] bool is_full() const noexcept { return kind == Kind::full; }
    [[nodiscard]] bool is_closed() const noexcept { return kind == Kind::closed; }
    [[nodiscard]] const char* what() const noexcept {
        return kind == Kind::full ? "no available capacity" : "channel closed";
    }
};

struct TryRecvError {
    enum class Kind { empty, disconnected };
    Kind kind;
    [[nodiscard]] bool is_empty() const noexcept { return kind == Kind::empty; }
    [[nodiscard]] bool is_disconnected() const noexcept { return kind == Kind::disconnected; }
    [[nodiscard]] const char* what() const noexcept {
        return kind == Kind::empty ? "receiving on an empty channel"
                                   : "receiving on a closed channel";
    }
    friend bool operator==(const TryRecvError&, const TryRecvError&) = default;
};

// send_timeout() failed: Timeout (no capacity within the time) or Closed (the receiver is gone or
// closed); `value` is the message, returned.
template <class T>
struct SendTimeoutError {
    enum class Kind { timeout, closed };
    Kind kind;
    T value;
    [[nodiscard]] bool is_timeout() const noexcept { return kind == Kind::timeout; }
    [[nodiscard]] bool is_closed() const noexcept { return kind == Kind::closed; }
    [[nodiscard]] const char* what() const noexcept {
        return kind == Kind::timeout ? "timed out waiting on send operation" : "channel closed";
    }
};

struct ClosedError {
    [[nodiscard]] static const char* what() noexcept { return "channel closed"; }
};

}  // namespace weft::sync
