/* The entry symbol exists but returns no descriptor. */
#include "weft/plugin.h"

WEFT_PLUGIN_ENTRY { return NULL; }
