// The admin socket's directories: what listen_unix creates above the socket is mode 0750 (owner
// and the socket's group may reach the 0660 socket), whatever the umask, as the README says.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "../daemon/child_process.hpp"
#include "host/admin/listener.hpp"

using weft::test::TempDir;

namespace {

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// Sets the process umask for one scope (the tests of this binary run one at a time).
class Umask {
   public:
    explicit Umask(mode_t mask) : previous_(::umask(mask)) {}
    ~Umask() { ::umask(previous_); }
    Umask(const Umask&) = delete;
    Umask& operator=(const Umask&) = delete;

   private:
    mode_t previous_;
};

}  // namespace

TEST_CASE("admin socket: missing parent directories are created 0750 and the socket 0660") {
    const TempDir dir;
    const auto socket = dir.path() / "run" / "weft" / "admin.sock";
    for (const mode_t mask : {mode_t{0077}, mode_t{0002}}) {
        INFO("umask " << mask);
        const Umask umask(mask);
        auto result = weft::host::admin::listen_unix(socket);
        REQUIRE(result.listener);
        CHECK(mode_of(dir.path() / "run") == 0750);
        CHECK(mode_of(dir.path() / "run" / "weft") == 0750);
        CHECK(mode_of(socket) == 0660);
        result.listener.reset();
        std::filesystem::remove_all(dir.path() / "run");
    }
}

TEST_CASE("admin socket: an existing parent directory keeps its mode") {
    const TempDir dir;
    const auto parent = dir.path() / "shared";
    std::filesystem::create_directory(parent);
    REQUIRE(::chmod(parent.c_str(), 0711) == 0);
    auto result = weft::host::admin::listen_unix(parent / "admin.sock");
    REQUIRE(result.listener);
    CHECK(mode_of(parent) == 0711);
}
