// PluginLibrary: one plugin shared library, opened and checked, and its descriptor.
//
// open_plugin_library() does every check a plugin file must pass before any of its code other
// than the entry function runs, and turns each failure into one sentence that names the file,
// says what is wrong and what to do:
//   the file is missing / not a regular file / not a shared library (no ELF header, with
//   dlopen's own reason too; or dlopen's reason: "wrong ELF class: ELFCLASS32", "undefined
//   symbol: foo", "file too short"), it has no `weft_plugin_entry` symbol, the entry returns NULL
//   or a descriptor too small to be one, the ABI major differs or the minor is newer than the
//   host's (both versions named), or the name, version or init hook is missing.
//
// The library is opened with RTLD_NOW (every symbol resolved now, not at the first call in the
// middle of a task) and RTLD_LOCAL (a plugin's symbols never satisfy another plugin's). The
// destructor dlcloses it: the owner must have dropped everything that points into it (tasks,
// instance, descriptor) first.
//
// Thread-safety: none needed; the plugin host opens and closes libraries on the main thread.
#pragma once

#include <filesystem>
#include <string>
#include <variant>

#include "weft/plugin.h"

namespace weft::host {

// The oldest descriptor layout the host reads: every field up to `validate` (ABI 1.0).
// Later fields (1.2: manifest) are read only when the descriptor's size covers them.
inline constexpr std::size_t kMinDescriptorSize =
    offsetof(weft_plugin_descriptor, validate) + sizeof(weft_plugin_descriptor::validate);

class PluginLibrary {
   public:
    PluginLibrary() noexcept = default;
    PluginLibrary(std::filesystem::path path, void* handle,
                  const weft_plugin_descriptor* descriptor) noexcept
        : path_(std::move(path)), handle_(handle), descriptor_(descriptor) {}
    PluginLibrary(PluginLibrary&& other) noexcept;
    PluginLibrary& operator=(PluginLibrary&& other) noexcept;
    ~PluginLibrary() { close(); }

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] const weft_plugin_descriptor& descriptor() const noexcept { return *descriptor_; }
    [[nodiscard]] bool is_open() const noexcept { return handle_ != nullptr; }
    // Leaves the library mapped for the rest of the process (when code of it may still run).
    void leak() noexcept { handle_ = nullptr; }
    // dlcloses now.
    void close() noexcept;

   private:
    std::filesystem::path path_;
    void* handle_ = nullptr;
    const weft_plugin_descriptor* descriptor_ = nullptr;
};

struct LoadError {
    std::string message;  // "<file>: <what is wrong>: <what to do>"
};

using LoadResult = std::variant<PluginLibrary, LoadError>;

// `path` as written in the config, made absolute against the plugin directory if relative.
[[nodiscard]] std::filesystem::path resolve_plugin_path(const std::string& path,
                                                        const std::filesystem::path& plugin_dir);

// Opens `path` (used as given) and checks its descriptor as described above.
[[nodiscard]] LoadResult open_plugin_library(const std::filesystem::path& path);

// "1.0"
[[nodiscard]] std::string abi_string(std::uint32_t major, std::uint32_t minor);

// The ABI check alone: empty when the host accepts a plugin built for major.minor.
[[nodiscard]] std::string check_abi(const std::filesystem::path& path, std::uint32_t major,
                                    std::uint32_t minor);

}  // namespace weft::host
