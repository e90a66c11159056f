// Shared helpers of the runtime tests: building each flavor, small latches.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "runtime/runtime.hpp"

namespace weft::test {

// Both flavors, so that a test can run its body on each (GENERATE(flavors())).
inline std::vector<Flavor> flavors() { return {Flavor::CurrentThread, Flavor::MultiThread}; }

inline Runtime make_runtime(Flavor flavor, std::size_t workers = 2) {
    return flavor == Flavor::CurrentThread
               ? Builder::new_current_thread().build()
               : Builder::new_multi_thread().worker_threads(workers).build();
}

inline std::string name_of(Flavor f) {
    return f == Flavor::CurrentThread ? "current_thread" : "multi_thread";
}

// Counts live instances, to check that destructors of cancelled tasks ran.
struct DropCounter {
    std::atomic<int>* live;
    explicit DropCounter(std::atomic<int>& c) : live(&c) { live->fetch_add(1); }
    DropCounter(const DropCounter&) = delete;
    ~DropCounter() { live->fetch_sub(1); }
};

}  // namespace weft::test
