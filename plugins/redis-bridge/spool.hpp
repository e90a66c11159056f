// Spool: the outbound messages that could not be sent before a shutdown, kept in a file of the
// state directory and sent first at the next start.
//
// Format: records of a 4-byte little-endian length followed by that many bytes. The file is
// written whole to "<file>.tmp" and renamed over "<file>", so a crash while writing leaves the
// previous spool intact; a truncated last record (a full disk) is reported and dropped.
// The file stays until everything it held was acknowledged by Redis: a crash before that sends
// its messages again (at least once).
#pragma once

#include <deque>
#include <filesystem>
#include <string>

namespace redis_bridge {

class Spool {
   public:
    Spool() = default;
    explicit Spool(std::filesystem::path file) : file_(std::move(file)) {}

    [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
    [[nodiscard]] bool enabled() const noexcept { return !file_.empty(); }

    // The spooled messages, in order; empty when there is no file. `error` is set when the file
    // exists but cannot be read whole.
    [[nodiscard]] std::deque<std::string> load(std::string& error) const;
    // Replaces the file with `messages` (removes it when there are none). Returns false and sets
    // `error` when it could not be written.
    [[nodiscard]] bool store(const std::deque<std::string>& messages, std::string& error) const;
    // Removes the file (its messages were all acknowledged).
    void remove() const noexcept;

   private:
    std::filesystem::path file_;
};

}  // namespace redis_bridge
