/* Built for the next ABI major: the host must refuse it, naming both versions. */
#include "common.h"

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {sizeof(weft_plugin_descriptor),
                                             WEFT_PLUGIN_ABI_MAJOR + 1,
                                             0,
                                             "wrong-major",
                                             "1.0.0",
                                             ok_init,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL};
    return &d;
}
