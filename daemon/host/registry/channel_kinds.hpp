// Factories of the registry's channels, one per kind (one .cpp each).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "host/registry/named_channel.hpp"

namespace weft::host {

// Bounded multi-producer single-consumer (runtime mpsc::channel).
[[nodiscard]] std::shared_ptr<NamedChannel> make_mpsc_channel(std::string name,
                                                              std::uint32_t capacity,
                                                              std::string origin);

// Bounded multi-producer multi-consumer: each message to one receiver (runtime mpmc::channel).
[[nodiscard]] std::shared_ptr<NamedChannel> make_mpmc_channel(std::string name,
                                                              std::uint32_t capacity,
                                                              std::string origin);

// Every receiving handle gets every message; the last `capacity` are kept (runtime broadcast).
[[nodiscard]] std::shared_ptr<NamedChannel> make_broadcast_channel(std::string name,
                                                                   std::uint32_t capacity,
                                                                   std::string origin);

// One value; receivers wait for changes (runtime watch).
[[nodiscard]] std::shared_ptr<NamedChannel> make_watch_channel(std::string name,
                                                               std::string origin);

}  // namespace weft::host
