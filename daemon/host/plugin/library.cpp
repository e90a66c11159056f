#include "host/plugin/library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <array>
#include <fstream>
#include <system_error>
#include <utility>

#include "host/plugin/descriptor_check.hpp"

namespace weft::host {
namespace {

namespace fs = std::filesystem;

LoadError error(const fs::path& path, std::string_view what) {
    return LoadError{fmt::format("{}: {}", path.string(), what)};
}

// True when the file starts with the ELF magic; dlopen's own message for a text file or an
// archive ("invalid ELF header", "file too short") is less helpful than saying so.
bool has_elf_header(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::array<char, 4> magic{};
    in.read(magic.data(), magic.size());
    return in.gcount() == 4 && magic == std::array<char, 4>{'\x7f', 'E', 'L', 'F'};
}

std::string dl_error() {
    const char* e = ::dlerror();
    return e ? e : "unknown dlopen error";
}

}  // namespace

fs::path resolve_plugin_path(const std::string& path, const fs::path& plugin_dir) {
    const fs::path p(path);
    if (p.is_absolute() || plugin_dir.empty()) return p;
    return plugin_dir / p;
}

PluginLibrary::PluginLibrary(PluginLibrary&& other) noexcept
    : path_(std::move(other.path_)),
      handle_(std::exchange(other.handle_, nullptr)),
      descriptor_(std::exchange(other.descriptor_, nullptr)) {}

PluginLibrary& PluginLibrary::operator=(PluginLibrary&& other) noexcept {
    if (this != &other) {
        close();
        path_ = std::move(other.path_);
        handle_ = std::exchange(other.handle_, nullptr);
        descriptor_ = std::exchange(other.descriptor_, nullptr);
    }
    return *this;
}

void PluginLibrary::close() noexcept {
    if (handle_) ::dlclose(std::exchange(handle_, nullptr));
}

std::string abi_string(std::uint32_t major, std::uint32_t minor) {
    return fmt::format("{}.{}", major, minor);
}

std::string check_abi(const fs::path& path, std::uint32_t major, std::uint32_t minor) {
    const std::string host = abi_string(WEFT_PLUGIN_ABI_MAJOR, WEFT_PLUGIN_ABI_MINOR);
    const std::string plugin = abi_string(major, minor);
    if (major != WEFT_PLUGIN_ABI_MAJOR) {
        return error(path, fmt::format("built for plugin ABI {}, but this weftd provides ABI {} "
                                       "(a different major version is incompatible): rebuild the "
                                       "plugin against this weftd's plugin SDK (ABI {})",
                                       plugin, host, host))
            .message;
    }
    if (minor > WEFT_PLUGIN_ABI_MINOR) {
        return error(path, fmt::format("built for plugin ABI {}, newer than this weftd's ABI {}: "
                                       "upgrade weftd, or rebuild the plugin against the plugin "
                                       "SDK of this weftd (ABI {})",
                                       plugin, host, host))
            .message;
    }
    return {};
}

LoadResult open_plugin_library(const fs::path& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        return error(path,
                     "no such file: check the plugin's `path` in the config, or the plugin "
                     "directory (--plugin-dir) it is looked up in");
    }
    if (!fs::is_regular_file(status))
        return error(path, "not a regular file: `path` must name the plugin's .so file");
    if (!has_elf_header(path)) {
        // The loader's own words too ("file too short", "invalid ELF header"): without an ELF
        // header no code of the file can run, so asking dlopen is safe.
        ::dlerror();
        if (void* h = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL)) ::dlclose(h);
        return error(path, fmt::format("not a shared library (no ELF header; the loader says: "
                                       "{}): build the plugin as a shared library (CMake: "
                                       "add_library(NAME MODULE ...))",
                                       dl_error()));
    }

    ::dlerror();  // clear a stale message
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        return error(path, fmt::format("cannot be loaded as a shared library: {}: check that it "
                                       "was built for this machine and that its dependencies are "
                                       "installed (ldd)",
                                       dl_error()));
    }
    // From here every failure closes the handle through `library`.
    PluginLibrary library(path, handle, nullptr);

    ::dlerror();
    void* symbol = ::dlsym(handle, WEFT_PLUGIN_ENTRY_SYMBOL);
    if (!symbol) {
        return error(path, "not a weft plugin: it exports no `" WEFT_PLUGIN_ENTRY_SYMBOL
                           "` symbol: define it with WEFT_PLUGIN(Class, ...) (C++ SDK) or "
                           "WEFT_PLUGIN_ENTRY (plugin.h), and build with the SDK's visibility "
                           "settings");
    }
    // dlsym returns a data pointer; POSIX guarantees it converts to a function pointer.
    auto entry = reinterpret_cast<weft_plugin_entry_fn>(symbol);
    const weft_plugin_descriptor* descriptor = entry();
    if (auto problem = check_descriptor(path, descriptor); !problem.empty())
        return LoadError{std::move(problem)};
    library.leak();  // ownership of `handle` moves to the result
    return PluginLibrary(path, handle, descriptor);
}

}  // namespace weft::host
