/* Reads its config through the host by JSON pointer (plugin.h 6.11), as a C plugin would: the
 * probes to make come from the config itself, {"probes": [["int", "/rate_hz"], ...]}, and init
 * logs each answer as "c-config: int /rate_hz -> WEFT_OK 5" or "... -> <status> (<why>)". */
#include <inttypes.h>
#include <string.h>

#include "weft/plugin.h"

static void probe(weft_host* host, const char* kind, const char* pointer) {
    weft_status s = WEFT_ERR_INVALID_ARGUMENT;
    char value[160] = "";
    if (strcmp(kind, "int") == 0) {
        int64_t v = 0;
        s = weft_config_get_int(host, pointer, &v);
        snprintf(value, sizeof value, "%" PRId64, v);
    } else if (strcmp(kind, "double") == 0) {
        double v = 0;
        s = weft_config_get_double(host, pointer, &v);
        snprintf(value, sizeof value, "%g", v);
    } else if (strcmp(kind, "bool") == 0) {
        int v = -1;
        s = weft_config_get_bool(host, pointer, &v);
        snprintf(value, sizeof value, "%d", v);
    } else if (strcmp(kind, "string") == 0) {
        const char* v = NULL;
        size_t len = 0;
        s = weft_config_get_string(host, pointer, &v, &len);
        if (s == WEFT_OK) snprintf(value, sizeof value, "\"%s\" (%zu bytes)", v, len);
    } else if (strcmp(kind, "length") == 0) {
        size_t v = 0;
        s = weft_config_get_array_length(host, pointer, &v);
        snprintf(value, sizeof value, "%zu", v);
    }
    if (s == WEFT_OK) {
        weft_logf(host, WEFT_LOG_INFO, "c-config: %s %s -> WEFT_OK %s", kind, pointer, value);
    } else {
        weft_logf(host, WEFT_LOG_INFO, "c-config: %s %s -> %s (%s)", kind, pointer,
                  weft_status_str(s), weft_last_error(host));
    }
}

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    size_t n = 0;
    size_t i;
    weft_status s = weft_config_get_array_length(args->host, "/probes", &n);
    if (s != WEFT_OK) {
        weft_error_set(error, error_size, "/probes: %s", weft_last_error(args->host));
        return s;
    }
    for (i = 0; i < n; ++i) {
        char kind_at[64];
        char pointer_at[64];
        const char* kind = NULL;
        const char* pointer = NULL;
        snprintf(kind_at, sizeof kind_at, "/probes/%zu/0", i);
        snprintf(pointer_at, sizeof pointer_at, "/probes/%zu/1", i);
        if (weft_config_get_string(args->host, kind_at, &kind, NULL) != WEFT_OK ||
            weft_config_get_string(args->host, pointer_at, &pointer, NULL) != WEFT_OK) {
            weft_error_set(error, error_size, "probe %zu: %s", i, weft_last_error(args->host));
            return WEFT_ERR_INVALID_ARGUMENT;
        }
        probe(args->host, kind, pointer);
    }
    *instance = NULL;
    return WEFT_OK;
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {
        WEFT_DESCRIPTOR_HEADER("c-config", "1.0.0"), init, NULL, NULL, NULL, NULL, NULL, NULL};
    return &d;
}
