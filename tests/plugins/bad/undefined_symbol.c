/* A plugin that needs a function nobody defines: the dynamic loader refuses it (RTLD_NOW) with
 * "undefined symbol: weft_test_symbol_nobody_defines", which weftd must pass on. Linked without
 * -z defs on purpose (see CMakeLists.txt). */
#include "common.h"

void weft_test_symbol_nobody_defines(void);

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    weft_test_symbol_nobody_defines();
    return ok_init(args, instance, error, error_size);
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {WEFT_DESCRIPTOR_HEADER("undefined_symbol", "1.0.0"),
                                             init,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL};
    return &d;
}
