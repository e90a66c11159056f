// word_lengths: a small program on weft's runtime without the daemon. Producers send words over
// an mpsc channel, a consumer sums their lengths, a JoinSet collects the producers, and a timeout
// bounds the whole run. Prints "total length: 32 from 6 words" and exits 0.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <runtime/runtime.hpp>
#include <runtime/sync/mpsc.hpp>
#include <runtime/task/join_set.hpp>
#include <runtime/time/sleep.hpp>
#include <runtime/time/timeout.hpp>

using namespace std::chrono_literals;

namespace {

weft::Task<void> produce(weft::sync::mpsc::Sender<std::string> tx, std::vector<std::string> words) {
    for (auto& word : words) {
        (co_await tx.send(std::move(word))).value();
        co_await weft::time::sleep(1ms);
    }
}

weft::Task<std::size_t> run() {
    auto [tx, rx] = weft::sync::mpsc::channel<std::string>(4);
    weft::JoinSet<void> producers;
    (void)producers.spawn(produce(tx, {"runtime", "without", "daemon"}));
    (void)producers.spawn(produce(std::move(tx), {"weft", "tokio", "c++"}));

    std::size_t words = 0;
    std::size_t total = 0;
    // The channel ends when both producers (and so every sender) are done.
    while (auto word = co_await rx.recv()) {
        ++words;
        total += word->size();
    }
    co_await producers.join_all();
    std::printf("total length: %zu from %zu words\n", total, words);
    co_return total;
}

}  // namespace

int main() {
    auto runtime = weft::Builder::new_multi_thread().worker_threads(2).build();
    auto total = runtime.block_on([]() -> weft::Task<std::size_t> {
        auto result = co_await weft::time::timeout(10s, run());
        if (!result) throw std::runtime_error("timed out");
        co_return *result;
    }());
    return total == 32 ? 0 : 1;
}
