// A C++ plugin written without the SDK whose start hook lets an exception escape into the host
// (plugin.h forbids it; the host must survive it anyway), and whose stop would throw too.
#include <stdexcept>

#include "weft/plugin.h"

namespace {

weft_status init(const weft_init_args*, void** instance, char*, size_t) {
    *instance = nullptr;
    return WEFT_OK;
}
weft_status start(void*, char*, size_t) { throw std::runtime_error("start exploded"); }
void destroy(void* instance) {
    weft_host* host = static_cast<weft_host*>(instance);
    (void)host;
}

}  // namespace

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {WEFT_DESCRIPTOR_HEADER("hook-throws", "1.0.0"),
                                             init,
                                             start,
                                             nullptr,
                                             destroy,
                                             nullptr,
                                             nullptr,
                                             nullptr};
    return &d;
}
