#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "host/admin/listener.hpp"
#include "host/admin/os_error.hpp"

namespace weft::host::admin {
namespace {

namespace fs = std::filesystem;

constexpr int kBacklog = 64;
constexpr mode_t kSocketMode = 0660;
// Directories weftd creates above its socket: the group that may use the 0660 socket must be able
// to reach it (x), nobody else.
constexpr mode_t kSocketDirMode = 0750;

ListenResult fail(const fs::path& path, std::string_view what, int error) {
    return ListenResult{
        std::nullopt, fmt::format("admin socket {}: {}: {}", path.string(), what, os_error(error))};
}

sockaddr_un address_of(const fs::path& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.native().size() + 1);
    return address;
}

// Creates the missing directories of `dir`, each with kSocketDirMode whatever the umask; leaves
// existing ones as they are. 0 on success, else the errno of the step that failed.
int create_socket_dirs(const fs::path& dir) {
    fs::path partial;
    for (const fs::path& part : dir) {
        partial /= part;
        if (::mkdir(partial.c_str(), kSocketDirMode) == 0) {
            if (::chmod(partial.c_str(), kSocketDirMode) != 0) return errno;
        } else if (errno != EEXIST) {
            return errno;
        }
    }
    return 0;
}

UniqueFd unix_socket() { return UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)); }

// Whether a process accepts connections on the socket at `path`: 0 if not (stale), else the
// errno that says why it cannot be removed (EADDRINUSE when it is alive).
int probe_existing(const fs::path& path) {
    UniqueFd probe = unix_socket();
    if (!probe) return errno;
    const sockaddr_un address = address_of(path);
    if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0)
        return EADDRINUSE;
    return errno == ECONNREFUSED ? 0 : errno;
}

// Clears the way for bind(): nothing at `path`, or a stale socket removed. Empty on success.
std::optional<ListenResult> remove_stale(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return std::nullopt;
        return fail(path, "cannot inspect the existing file", errno);
    }
    if (!S_ISSOCK(st.st_mode)) {
        return ListenResult{
            std::nullopt,
            fmt::format("admin socket {}: the path exists and is not a socket; not removing it",
                        path.string())};
    }
    if (const int error = probe_existing(path); error != 0) {
        if (error == EADDRINUSE) {
            return ListenResult{
                std::nullopt,
                fmt::format("admin socket {}: another process (another weftd?) is serving it",
                            path.string())};
        }
        return fail(path, "cannot check whether the existing socket is stale", error);
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return fail(path, "cannot remove the stale socket", errno);
    return std::nullopt;
}

}  // namespace

ListenResult listen_unix(const fs::path& path) {
    if (path.empty() || path.native().size() >= sizeof(sockaddr_un::sun_path)) {
        return ListenResult{std::nullopt,
                            fmt::format("admin socket {}: the path must be 1 to {} bytes long",
                                        path.string(), sizeof(sockaddr_un::sun_path) - 1)};
    }
    if (const fs::path parent = path.parent_path(); !parent.empty()) {
        if (const int error = create_socket_dirs(parent); error != 0)
            return fail(path, "cannot create directory " + parent.string(), error);
    }
    if (auto failed = remove_stale(path)) return std::move(*failed);

    UniqueFd fd = unix_socket();
    if (!fd) return fail(path, "cannot create a socket", errno);
    const sockaddr_un address = address_of(path);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        return fail(path, "cannot bind", errno);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        return fail(path, "cannot inspect the bound socket", errno);
    // Owns the file from here: any failure below removes it again.
    SocketFile file(path, st.st_dev, st.st_ino);
    if (::chmod(path.c_str(), kSocketMode) != 0) return fail(path, "cannot set mode 0660", errno);
    if (::listen(fd.get(), kBacklog) != 0) return fail(path, "cannot listen", errno);
    return ListenResult{Listener{std::move(fd), std::move(file), "unix:" + path.string()}, {}};
}

}  // namespace weft::host::admin
