#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "host/admin/listener.hpp"

namespace weft::host::admin {

SocketFile::SocketFile(std::filesystem::path path, dev_t device, ino_t inode) noexcept
    : path_(std::move(path)), device_(device), inode_(inode) {}

SocketFile::SocketFile(SocketFile&& other) noexcept
    : path_(std::exchange(other.path_, {})), device_(other.device_), inode_(other.inode_) {}

SocketFile& SocketFile::operator=(SocketFile&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::exchange(other.path_, {});
        device_ = other.device_;
        inode_ = other.inode_;
    }
    return *this;
}

void SocketFile::remove() noexcept {
    if (path_.empty()) return;
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == device_ &&
        st.st_ino == inode_) {
        ::unlink(path_.c_str());
    }
    path_.clear();
}

}  // namespace weft::host::admin
