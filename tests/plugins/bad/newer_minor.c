/* Built for a newer ABI minor than the host's: the host must refuse it, naming both versions. */
#include "common.h"

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {sizeof(weft_plugin_descriptor),
                                             WEFT_PLUGIN_ABI_MAJOR,
                                             WEFT_PLUGIN_ABI_MINOR + 1,
                                             "newer-minor",
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
