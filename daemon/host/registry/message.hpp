// Message: the bytes of one channel message, owned by whichever side holds it.
//
// Sending copies the plugin's bytes into a Message (plugin.h: "sending copies"); the channel moves
// it; receiving gives the bytes to the plugin (plugin.h section 4): into the plugin's own buffer
// when it supplied one that fits, else by handing over a malloc'ed buffer that the plugin gives
// back through the weft_message's release callback (set by the host, so both ends agree on the
// allocator). Broadcast and watch receivers each get a copy (the copy constructor).
//
// Small messages (up to kInline bytes, a typical fixed-size record) live inside the Message: a
// message that a plugin receives into its own buffer costs no allocation at all.
//
// Thread-safety: a Message is a value; one thread at a time.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "weft/plugin.h"

namespace weft::host {

class Message {
   public:
    static constexpr std::size_t kInline = 32;

    Message() noexcept = default;
    // Copies data[0..len). Throws std::bad_alloc.
    static Message copy_of(const void* data, std::size_t len) {
        Message m;
        if (len == 0) return m;
        std::byte* to = m.storage_.small;
        if (len > kInline) {
            to = static_cast<std::byte*>(std::malloc(len));
            if (!to) throw std::bad_alloc();
            m.storage_.heap = to;
        }
        std::memcpy(to, data, len);
        m.len_ = len;
        return m;
    }
    Message(const Message& other) : Message(copy_of(other.data(), other.len_)) {}
    // A move copies the storage whole (a fixed 32-byte copy the compiler inlines): whether it
    // holds the bytes or a heap pointer does not matter.
    Message(Message&& other) noexcept
        : len_(std::exchange(other.len_, 0)), storage_(other.storage_) {}
    Message& operator=(Message&& other) noexcept {
        if (this != &other) {
            reset();
            len_ = std::exchange(other.len_, 0);
            storage_ = other.storage_;
        }
        return *this;
    }
    Message& operator=(const Message& other) { return *this = Message(other); }
    ~Message() { reset(); }

    [[nodiscard]] const std::byte* data() const noexcept {
        return on_heap() ? storage_.heap : storage_.small;
    }
    [[nodiscard]] std::size_t size() const noexcept { return len_; }

    // Gives the bytes to a plugin's weft_message (whose size the caller checked covers every
    // field): into out.buffer when they fit, else in a heap buffer the plugin releases. `held`,
    // if not null, counts heap buffers the plugin has not released yet. Throws std::bad_alloc
    // (only when a small message must be moved to the heap); the message is then untouched.
    void hand_to(weft_message& out, std::atomic<std::int64_t>* held) {
        out.lagged = 0;
        out.release = nullptr;
        out.release_data = nullptr;
        if (len_ == 0) {
            out.data = nullptr;
            out.len = 0;
            return;
        }
        if (out.buffer && len_ <= out.buffer_size) {
            std::memcpy(out.buffer, data(), len_);
            out.data = out.buffer;
            out.len = len_;
            reset();
            return;
        }
        std::byte* bytes = nullptr;
        if (on_heap()) {
            bytes = storage_.heap;
        } else {
            bytes = static_cast<std::byte*>(std::malloc(len_));
            if (!bytes) throw std::bad_alloc();
            std::memcpy(bytes, storage_.small, len_);
        }
        out.data = bytes;
        out.len = std::exchange(len_, 0);  // the heap buffer, if any, is the plugin's now
        out.release = &release;
        out.release_data = held;
        if (held) held->fetch_add(1, std::memory_order_relaxed);
    }

   private:
    [[nodiscard]] bool on_heap() const noexcept { return len_ > kInline; }
    void reset() noexcept {
        if (on_heap()) std::free(storage_.heap);
        len_ = 0;
    }
    static void release(weft_message* m) noexcept {
        std::free(m->data);
        if (m->release_data)
            static_cast<std::atomic<std::int64_t>*>(m->release_data)
                ->fetch_sub(1, std::memory_order_relaxed);
        m->data = nullptr;
        m->len = 0;
        m->release = nullptr;
        m->release_data = nullptr;
    }

    std::size_t len_ = 0;  // more than kInline: the bytes are on the heap
    union Storage {
        std::byte* heap;
        std::byte small[kInline];  // only ever copied whole; bytes past len_ are indeterminate
    } storage_{};
};

}  // namespace weft::host
