// LibraryStamp: which file a plugin library path named when it was loaded (device, inode, size,
// modification time), so that a live reload restarts a plugin whose library was replaced on disk
// (a package upgrade installs a new file under the same name) even when its config entry is the
// same.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <optional>

namespace weft::host {

struct LibraryStamp {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    friend bool operator==(const LibraryStamp&, const LibraryStamp&) = default;
};

// The file's stamp now, or nothing if it cannot be stat'ed (gone: the plugin counts as changed).
[[nodiscard]] inline std::optional<LibraryStamp> library_stamp(const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return std::nullopt;
    return LibraryStamp{
        static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
        static_cast<std::int64_t>(st.st_size),
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

}  // namespace weft::host
