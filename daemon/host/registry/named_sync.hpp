// The registry's named Notify and semaphores: the runtime's primitives with a name.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/sync/notify.hpp"
#include "runtime/sync/semaphore.hpp"

namespace weft::host {

struct NamedNotify {
    explicit NamedNotify(std::string n) : name(std::move(n)) {}
    std::string name;
    sync::Notify notify;
};

struct NamedSemaphore {
    NamedSemaphore(std::string n, std::uint32_t p, std::string o)
        : name(std::move(n)), permits(p), origin(std::move(o)), semaphore(p) {}
    std::string name;
    std::uint32_t permits;  // as declared or created: the total
    std::string origin;     // "declared in the config" / "created by plugin 'x'"
    sync::Semaphore semaphore;
};

}  // namespace weft::host
