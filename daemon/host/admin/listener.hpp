// Listening sockets for the admin endpoint, set up before they are handed to the HTTP server.
//
// listen_unix(path):
//   - creates the parent directories that are missing, mode 0750 whatever the umask (the socket's
//     group must be able to reach it); existing ones keep their mode;
//   - a file already at `path` is removed only if it is a socket nobody accepts on (a stale one
//     left by a daemon that died); a live socket (another weftd) or any other kind of file is an
//     error and is left alone;
//   - binds, sets mode 0660 (owner and group may connect) before listen(), so no client can
//     connect while the mode is still the umask's;
//   - the returned Listener's SocketFile removes the socket file again when destroyed.
// listen_tcp(endpoint): binds a loopback address only (the config allows nothing else, and a
// name such as "localhost" must also resolve to loopback), with SO_REUSEADDR.
//
// Failures return an error message naming the address, the step and the OS's reason, for the
// log. Thread-safety: free functions with no shared state; a Listener belongs to one owner.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "host/admin/unique_fd.hpp"
#include "host/config/config.hpp"

namespace weft::host::admin {

// The file of a bound Unix socket, removed on destruction if it is still the one bound (same
// device and inode): a daemon started since may have replaced it, and its socket must stay.
class SocketFile {
   public:
    SocketFile() noexcept = default;
    SocketFile(std::filesystem::path path, dev_t device, ino_t inode) noexcept;
    SocketFile(SocketFile&& other) noexcept;
    SocketFile& operator=(SocketFile&& other) noexcept;
    SocketFile(const SocketFile&) = delete;
    SocketFile& operator=(const SocketFile&) = delete;
    ~SocketFile() { remove(); }

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    // Idempotent.
    void remove() noexcept;

   private:
    std::filesystem::path path_;  // empty: nothing to remove
    dev_t device_ = 0;
    ino_t inode_ = 0;
};

struct Listener {
    UniqueFd fd;        // bound and listening
    SocketFile file;    // empty for TCP
    std::string where;  // "unix:/run/weft/admin.sock", "tcp:127.0.0.1:9090": for the log
};

struct ListenResult {
    std::optional<Listener> listener;  // set on success
    std::string error;                 // set on failure
};

[[nodiscard]] ListenResult listen_unix(const std::filesystem::path& path);
[[nodiscard]] ListenResult listen_tcp(const TcpEndpoint& endpoint);

}  // namespace weft::host::admin
