// Spool: see spool.hpp.
#include "spool.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <system_error>

namespace redis_bridge {

namespace fs = std::filesystem;

std::deque<std::string> Spool::load(std::string& error) const {
    std::deque<std::string> out;
    if (!enabled()) return out;
    std::ifstream in(file_, std::ios::binary);
    if (!in) {
        if (errno != ENOENT) error = "cannot read " + file_.string() + ": " + std::strerror(errno);
        return out;
    }
    while (true) {
        unsigned char len[4];
        if (!in.read(reinterpret_cast<char*>(len), 4)) {
            if (in.gcount() != 0) error = file_.string() + ": a truncated record at the end";
            break;
        }
        const std::uint32_t n = std::uint32_t{len[0]} | std::uint32_t{len[1]} << 8 |
                                std::uint32_t{len[2]} << 16 | std::uint32_t{len[3]} << 24;
        std::string m(n, '\0');
        if (n != 0 && !in.read(m.data(), n)) {
            error = file_.string() + ": a truncated record at the end";
            break;
        }
        out.push_back(std::move(m));
    }
    return out;
}

bool Spool::store(const std::deque<std::string>& messages, std::string& error) const {
    if (!enabled()) {
        error = "no state directory";
        return false;
    }
    if (messages.empty()) {
        remove();
        return true;
    }
    std::error_code ec;
    fs::create_directories(file_.parent_path(), ec);
    const fs::path tmp = file_.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        for (const auto& m : messages) {
            const auto n = static_cast<std::uint32_t>(m.size());
            const unsigned char len[4] = {
                static_cast<unsigned char>(n), static_cast<unsigned char>(n >> 8),
                static_cast<unsigned char>(n >> 16), static_cast<unsigned char>(n >> 24)};
            out.write(reinterpret_cast<const char*>(len), 4);
            out.write(m.data(), static_cast<std::streamsize>(m.size()));
        }
        out.flush();
        if (!out) {
            error = "cannot write " + tmp.string() + ": " + std::strerror(errno);
            fs::remove(tmp, ec);
            return false;
        }
    }
    fs::rename(tmp, file_, ec);
    if (ec) {
        error = "cannot rename " + tmp.string() + " to " + file_.string() + ": " + ec.message();
        return false;
    }
    return true;
}

void Spool::remove() const noexcept {
    if (!enabled()) return;
    std::error_code ec;
    fs::remove(file_, ec);
}

}  // namespace redis_bridge
