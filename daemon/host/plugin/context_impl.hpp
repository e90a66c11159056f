// The host's weft_context: what one poll of a plugin task is given. It lives on the stack of the
// poll (PluginFuture::poll) and is valid only during it, on its thread, as plugin.h promises.
#pragma once

#include "host/abi/abi_objects.hpp"
#include "runtime/task/context.hpp"

namespace weft::host {

class PluginInstance;

struct ContextImpl : weft_context {
    ContextImpl(Context& runtime_cx, PluginInstance& owner) noexcept
        : weft_context{&host_api()}, cx(runtime_cx), plugin(owner) {}
    Context& cx;             // the runtime's context: the task's waker
    PluginInstance& plugin;  // whose task is polled
};

[[nodiscard]] inline ContextImpl& context_of(weft_context* c) noexcept {
    return static_cast<ContextImpl&>(*c);
}

}  // namespace weft::host
