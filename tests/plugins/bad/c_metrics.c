/* Publishes metrics through the host (plugin.h 6.13, ABI 1.3) as a C plugin would, and logs each
 * status: "c-metrics: counter events_total -> ok", "... -> invalid argument (<why>)". Then it asks
 * for 1100 series of one counter (the host keeps 1024 per plugin) and logs how many it got, and
 * logs the state directory. */
#include <stdio.h>

#include "weft/plugin.h"

static void report(weft_host* host, const char* what, weft_status s) {
    if (s == WEFT_OK)
        weft_logf(host, WEFT_LOG_INFO, "c-metrics: %s -> ok", what);
    else
        weft_logf(host, WEFT_LOG_INFO, "c-metrics: %s -> %s (%s)", what, weft_status_str(s),
                  weft_last_error(host));
}

static weft_status init(const weft_init_args* args, void** instance, char* error,
                        size_t error_size) {
    weft_host* h = args->host;
    const weft_metric_label a[] = {{"kind", "a"}, {"zone", "eu"}};
    const weft_metric_label a_reordered[] = {{"zone", "eu"}, {"kind", "a"}};
    const weft_metric_label reserved[] = {{"plugin", "x"}};
    const char* dir = NULL;
    size_t len = 0;
    int i;
    int ok = 0;
    int full = 0;
    (void)error;
    (void)error_size;
    report(h, "counter events_total", weft_metric_counter_add(h, "events_total", a, 2, 5));
    report(h, "counter events_total again",
           weft_metric_counter_add(h, "events_total", a_reordered, 2, 2));
    report(h, "gauge depth", weft_metric_gauge_set(h, "depth", NULL, 0, 3.5));
    report(h, "counter bad-name", weft_metric_counter_add(h, "bad-name", NULL, 0, 1));
    report(h, "gauge events_total", weft_metric_gauge_set(h, "events_total", a, 2, 1));
    report(h, "label plugin", weft_metric_counter_add(h, "x_total", reserved, 1, 1));
    report(h, "labels NULL", weft_metric_counter_add(h, "x_total", NULL, 1, 1));
    for (i = 0; i < 1100; ++i) {
        char value[16];
        weft_metric_label l[1];
        weft_status s;
        snprintf(value, sizeof value, "%d", i);
        l[0].name = "i";
        l[0].value = value;
        s = weft_metric_counter_add(h, "many_total", l, 1, 1);
        if (s == WEFT_OK) ++ok;
        if (s == WEFT_ERR_FULL) ++full;
    }
    weft_logf(h, WEFT_LOG_INFO, "c-metrics: many_total: %d ok, %d full", ok, full);
    report(h, "state directory", weft_state_directory(h, &dir, &len));
    weft_logf(h, WEFT_LOG_INFO, "c-metrics: state directory '%s' (%zu bytes)", dir ? dir : "", len);
    *instance = h;
    return WEFT_OK;
}

WEFT_PLUGIN_ENTRY {
    static const weft_plugin_descriptor d = {
        WEFT_DESCRIPTOR_HEADER("c-metrics", "1.0.0"), init, NULL, NULL, NULL, NULL, NULL, NULL};
    return &d;
}
