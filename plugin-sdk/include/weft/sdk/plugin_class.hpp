// weft::Plugin and WEFT_PLUGIN: a plugin as a C++ class.
//
//   class Heartbeat : public weft::Plugin {
//      public:
//       explicit Heartbeat(const weft::PluginContext& ctx)
//           : Plugin(ctx), interval_(config().value("interval_ms", 1000)) {}
//       void start() override { spawn(run()); }
//       static void validate(const weft::Json& config);   // optional: throw to reject
//       static weft::Manifest manifest();                   // optional: sdk/manifest.hpp
//      private:
//       weft::Task<> run();
//       int interval_;
//   };
//   WEFT_PLUGIN(Heartbeat, "heartbeat", "1.0.0")
//
// WEFT_PLUGIN exports the entry symbol and a descriptor whose hooks map onto the class:
//   init     constructs the class from the host, its parsed config and its instance name
//   start    start()          stop     stop()          destroy  the destructor
//   validate the static validate(const Json&), if the class has one (no instance, no host)
//   manifest the static manifest(), if the class has one (ABI 1.2; check-config reads it)
//   reconfigure  a member reconfigure(const Json& config), if the class has one (ABI 1.4): a live
//            reload that changed only the plugin's config calls it, on the host's thread while
//            the plugin's tasks run (share what it changes through atomics or a mutex); throw to
//            refuse the change, and the host restarts the plugin with the new config instead.
//            config() keeps returning the config the instance was constructed with.
// Every exception is caught at that boundary: it becomes the hook's status (Error's own status,
// WEFT_ERR_INVALID_ARGUMENT for a ConfigError, WEFT_ERR_PLUGIN otherwise) and its message,
// which the host logs with the plugin's name. Tasks log their own exceptions (task.hpp).
#pragma once

#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "weft/plugin.h"
#include "weft/sdk/error.hpp"
#include "weft/sdk/host.hpp"
#include "weft/sdk/job.hpp"
#include "weft/sdk/json.hpp"
#include "weft/sdk/manifest.hpp"
#include "weft/sdk/shutdown.hpp"
#include "weft/sdk/task.hpp"

namespace weft {
inline namespace sdk {

struct PluginContext {
    Host host;
    Json config;
    std::string instance_name;
    // The class's manifest, or nullptr (register_job warns for a task outside it).
    const weft_plugin_manifest* manifest = nullptr;
};

class Plugin {
   public:
    explicit Plugin(const PluginContext& ctx)
        : host_(ctx.host),
          shutdown_(ctx.host),
          config_(ctx.config),
          name_(ctx.instance_name),
          manifest_(ctx.manifest) {}
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;
    virtual ~Plugin() = default;

    // Hooks; the defaults do nothing.
    virtual void start() {}
    virtual void stop() {}

    [[nodiscard]] const Host& host() const noexcept { return host_; }
    [[nodiscard]] Logger log() const noexcept { return host_.log(); }
    [[nodiscard]] const ShutdownToken& shutdown() const noexcept { return shutdown_; }
    [[nodiscard]] const Json& config() const noexcept { return config_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

   protected:
    // Spawns a detached task of this plugin; a failure to spawn throws Error.
    template <class T>
    void spawn(Task<T> task) const {
        weft::spawn(host_, std::move(task)).detach();
    }
    // Spawns a detached task of this plugin named `name` (weft::spawn_named).
    template <class T>
    void spawn_named(std::string_view name, Task<T> task) const {
        weft::spawn_named(host_, name, std::move(task)).detach();
    }
    // Registers a job task function (weft/sdk/job.hpp); call from the constructor or start().
    // A name its manifest does not list is registered, with a warning: check-config would
    // report a job naming it.
    template <class F>
    void register_job(std::string_view name, F fn) const {
        if (!detail::manifest_lists_task(manifest_, name))
            log().warn("job task '", name,
                       "' is missing from this plugin's manifest: add it to manifest().tasks");
        weft::register_job(host_, name, std::move(fn));
    }

   private:
    Host host_;
    ShutdownToken shutdown_;
    Json config_;
    std::string name_;
    const weft_plugin_manifest* manifest_;
};

namespace detail {

template <class P>
const weft_plugin_manifest* manifest_of() {
    if constexpr (requires { P::manifest(); }) {
        static const ManifestStorage storage(P::manifest());
        return storage.c_manifest();
    } else {
        return nullptr;
    }
}

template <class F>
weft_status hook_boundary(char* error, std::size_t error_size, F&& f) noexcept {
    try {
        f();
        return WEFT_OK;
    } catch (const Error& e) {
        weft_error_set(error, error_size, "%s", e.what());
        return e.status() == WEFT_OK || e.status() == WEFT_PENDING ? WEFT_ERR_PLUGIN : e.status();
    } catch (const ConfigError& e) {
        weft_error_set(error, error_size, "invalid config: %s", e.what());
        return WEFT_ERR_INVALID_ARGUMENT;
    } catch (const std::bad_alloc&) {
        weft_error_set(error, error_size, "out of memory");
        return WEFT_ERR_NO_MEMORY;
    } catch (const std::exception& e) {
        weft_error_set(error, error_size, "%s", e.what());
        return WEFT_ERR_PLUGIN;
    } catch (...) {
        weft_error_set(error, error_size, "an exception that is not a std::exception");
        return WEFT_ERR_PLUGIN;
    }
}

template <class P>
struct PluginHooks {
    static weft_status init(const weft_init_args* args, void** instance, char* error,
                            std::size_t error_size) noexcept {
        return hook_boundary(error, error_size, [&] {
            PluginContext ctx{Host(args->api, args->host),
                              Json::parse(std::string_view(args->config_json, args->config_len)),
                              args->instance_name ? args->instance_name : "", manifest_of<P>()};
            *instance = static_cast<Plugin*>(new P(ctx));
        });
    }
    static weft_status start(void* instance, char* error, std::size_t error_size) noexcept {
        return hook_boundary(error, error_size, [&] { static_cast<Plugin*>(instance)->start(); });
    }
    static weft_status stop(void* instance, char* error, std::size_t error_size) noexcept {
        return hook_boundary(error, error_size, [&] { static_cast<Plugin*>(instance)->stop(); });
    }
    static void destroy(void* instance) noexcept { delete static_cast<Plugin*>(instance); }
    static weft_status validate(const char* config, std::size_t len, char* error,
                                std::size_t error_size) noexcept {
        return hook_boundary(error, error_size,
                             [&] { P::validate(Json::parse(std::string_view(config, len))); });
    }
    static weft_status reconfigure(void* instance, const char* config, std::size_t len, char* error,
                                   std::size_t error_size) noexcept {
        return hook_boundary(error, error_size, [&] {
            static_cast<P*>(static_cast<Plugin*>(instance))
                ->reconfigure(Json::parse(std::string_view(config, len)));
        });
    }
};

template <class P>
constexpr auto reconfigure_hook() noexcept {
    using Fn = weft_status (*)(void*, const char*, std::size_t, char*, std::size_t);
    if constexpr (requires(P & p, const Json& j) { p.reconfigure(j); }) {
        return static_cast<Fn>(&PluginHooks<P>::reconfigure);
    } else {
        return static_cast<Fn>(nullptr);
    }
}

template <class P>
constexpr auto validate_hook() noexcept {
    using Fn = weft_status (*)(const char*, std::size_t, char*, std::size_t);
    if constexpr (requires(const Json& j) { P::validate(j); }) {
        return static_cast<Fn>(&PluginHooks<P>::validate);
    } else {
        return static_cast<Fn>(nullptr);
    }
}

template <class P>
const weft_plugin_descriptor* plugin_descriptor(const char* name, const char* version) noexcept {
    static_assert(std::is_base_of_v<Plugin, P>, "WEFT_PLUGIN: the class must derive weft::Plugin");
    static_assert(std::is_constructible_v<P, const PluginContext&>,
                  "WEFT_PLUGIN: the class needs a constructor taking const weft::PluginContext&");
    static const weft_plugin_descriptor d = {
        WEFT_DESCRIPTOR_HEADER(name, version),
        &PluginHooks<P>::init,
        &PluginHooks<P>::start,
        &PluginHooks<P>::stop,
        &PluginHooks<P>::destroy,
        validate_hook<P>(),
        manifest_of<P>(),
        reconfigure_hook<P>(),
    };
    return &d;
}

}  // namespace detail
}  // namespace sdk
}  // namespace weft

// Exports the entry symbol of a plugin implemented by `Class` (derived from weft::Plugin).
#define WEFT_PLUGIN(Class, name, version) \
    WEFT_PLUGIN_ENTRY { return ::weft::detail::plugin_descriptor<Class>(name, version); }
