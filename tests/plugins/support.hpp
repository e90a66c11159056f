// Test support for the plugin layer: capturing log lines (plugins log through loggers cloned from
// spdlog's default one), a config from JSON text, and a running plugin host on either flavor.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "host/config/config.hpp"
#include "host/daemon/coordinator.hpp"
#include "host/plugin/runtime_thread.hpp"
#include "runtime/runtime.hpp"

namespace weft::test {

using namespace std::chrono_literals;

// Every line logged while it lives, as "[logger] level: message".
class LogCapture {
   public:
    LogCapture() : sink_(std::make_shared<Sink>()) {
        previous_ = spdlog::default_logger();
        auto logger = std::make_shared<spdlog::logger>("weftd", sink_);
        logger->set_level(spdlog::level::debug);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    [[nodiscard]] std::vector<std::string> lines() const { return sink_->lines(); }
    [[nodiscard]] std::string text() const {
        std::string all;
        for (const auto& l : lines()) all += l + "\n";
        return all;
    }
    [[nodiscard]] bool contains(const std::string& needle) const {
        return text().find(needle) != std::string::npos;
    }
    // Index of the first line containing `needle`, or -1.
    [[nodiscard]] long index_of(const std::string& needle) const {
        const auto all = lines();
        for (std::size_t i = 0; i < all.size(); ++i)
            if (all[i].find(needle) != std::string::npos) return static_cast<long>(i);
        return -1;
    }
    bool wait_for(const std::string& needle, std::chrono::milliseconds deadline = 10s) const {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (std::chrono::steady_clock::now() < until) {
            if (contains(needle)) return true;
            std::this_thread::sleep_for(2ms);
        }
        return contains(needle);
    }

   private:
    class Sink : public spdlog::sinks::base_sink<std::mutex> {
       public:
        std::vector<std::string> lines() {
            std::lock_guard lock(mutex_);
            return lines_;
        }

       protected:
        void sink_it_(const spdlog::details::log_msg& msg) override {
            lines_.push_back(fmt::format("[{}] {}: {}", msg.logger_name,
                                         spdlog::level::to_string_view(msg.level), msg.payload));
        }
        void flush_() override {}

       private:
        std::vector<std::string> lines_;
    };
    std::shared_ptr<Sink> sink_;
    std::shared_ptr<spdlog::logger> previous_;
};

inline host::Config config_from(const std::string& json) {
    auto result = host::parse_config(json, "test.json",
                                     [](const char*) -> std::optional<std::string> { return {}; });
    if (!result.ok()) {
        std::string all;
        for (const auto& e : result.errors) all += e + "\n";
        throw std::runtime_error("bad test config:\n" + all);
    }
    return *result.config;
}

inline std::vector<Flavor> flavors() { return {Flavor::multi_thread, Flavor::current_thread}; }

inline Runtime make_runtime(Flavor flavor) {
    return flavor == Flavor::current_thread ? Builder::new_current_thread().build()
                                            : Builder::new_multi_thread().worker_threads(2).build();
}

// A runtime, driven as weftd drives it, and a plugin host on it.
struct HostedPlugins {
    HostedPlugins(Flavor flavor, const host::Config& config, std::filesystem::path plugin_dir,
                  std::chrono::milliseconds grace = 2s)
        : runtime(make_runtime(flavor)),
          driver(runtime),
          host(runtime.handle(), config,
               host::CoordinatorOptions{std::move(plugin_dir), grace, 5s}) {}
    ~HostedPlugins() {
        host.shutdown();
        driver.stop();
    }
    Runtime runtime;
    host::RuntimeThread driver;
    host::Coordinator host;

    [[nodiscard]] std::optional<host::PluginSummary> summary(const std::string& name) const {
        for (auto& s : host.plugins())
            if (s.name == name) return s;
        return std::nullopt;
    }
};

}  // namespace weft::test
