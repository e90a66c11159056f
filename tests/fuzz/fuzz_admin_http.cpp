// libFuzzer target: the admin endpoint's request handling, from the bytes a client sends to the
// bytes of the answer (parser, routes, rendering, serialisation), as the server runs it for each
// connection. The bytes arrive in chunks whose size the first input byte picks, as a slow or
// fragmenting client would send them. Every input must yield at most one well-formed answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "host/admin/admin_routes.hpp"
#include "host/admin/http_exchange.hpp"

namespace {

weft::host::admin::AdminSnapshot snapshot(bool shutting_down) {
    weft::host::admin::AdminSnapshot s;
    s.version = "fuzz";
    s.shutting_down = shutting_down;
    weft::host::PluginSummary plugin;
    plugin.name = "fuzz\"plugin\n";  // quoting in both renderers
    s.plugins.push_back(plugin);
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static weft::host::admin::AdminRoutes routes(snapshot);
    static weft::host::admin::AdminRoutes stopping(snapshot);
    static const bool stopped = (stopping.begin_shutdown(), true);
    (void)stopped;
    const bool shutting_down = (data[0] & 0x80) != 0;
    const std::size_t chunk = 1 + (data[0] & 0x7f);
    const weft::host::admin::HttpHandler handler =
        [&](const weft::host::admin::HttpRequest& request) {
            return shutting_down ? stopping.handle(request) : routes.handle(request);
        };
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    weft::host::admin::HttpExchange exchange;
    while (!rest.empty() && !exchange.answered()) {
        const std::string_view piece = rest.substr(0, chunk);
        rest.remove_prefix(piece.size());
        (void)exchange.feed(piece, handler, "fuzz");
    }
    if (exchange.answered()) {
        const std::string_view answer = exchange.answer();
        if (!answer.starts_with("HTTP/1.1 ") || answer.find("\r\n\r\n") == std::string_view::npos)
            std::abort();
        if (exchange.status() < 200 || exchange.status() > 599) std::abort();
    }
    return 0;
}
