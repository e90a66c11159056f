// The record the producer sends and the consumer writes: trivially copyable, so weft::Sender<T>
// sends its bytes. Both plugins are built from this one definition.
#pragma once

#include <cstdint>

namespace weft_example {

struct Record {
    std::uint64_t seq;         // 1, 2, 3, ... without gaps
    std::uint64_t created_ns;  // the host's monotonic clock when it was made
};

}  // namespace weft_example
