// libcurl speaks HTTP over a Unix socket (CURLOPT_UNIX_SOCKET_PATH): it parses status lines,
// headers, Content-Length, chunked bodies and keeps the timeouts, so weftd carries no HTTP client
// of its own. The host name in the URL is only the Host header; the socket is what connects.
#include "host/admin/unix_http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/un.h>

#include <cerrno>
#include <memory>
#include <mutex>

#include "host/admin/os_error.hpp"

namespace weft::host::admin {
namespace {

HttpFetch failure(const std::filesystem::path& socket, std::string_view what) {
    return HttpFetch{std::nullopt, fmt::format("admin socket {}: {}", socket.string(), what)};
}

std::string hint(int error) {
    if (error == ENOENT) return " (is weftd running, and is this its admin.socket?)";
    if (error == ECONNREFUSED) return " (nothing serves it: a stale socket of a stopped weftd?)";
    if (error == EACCES) return " (the socket is mode 0660: run as weftd's user or group)";
    return {};
}

struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

// curl_global_init once per process, before the first handle (libcurl asks for it explicitly).
bool curl_ready() {
    static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return ready;
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

// Keeps the reason phrase of the last status line ("HTTP/1.1 404 Not Found"), which libcurl
// does not expose; the last one, as a 100 Continue may come first.
std::size_t read_header(char* data, std::size_t size, std::size_t count, void* user) {
    const std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
        auto& reason = *static_cast<std::string*>(user);
        reason.clear();
        const std::size_t code = line.find(' ');
        const std::size_t text = code == std::string_view::npos ? code : line.find(' ', code + 1);
        if (text != std::string_view::npos) {
            std::string_view rest = line.substr(text + 1);
            while (!rest.empty() && (rest.back() == '\r' || rest.back() == '\n'))
                rest.remove_suffix(1);
            reason = std::string(rest);
        }
    }
    return size * count;
}

}  // namespace

HttpFetch http_request_unix(const std::filesystem::path& socket, std::string_view method,
                            std::string_view target, std::chrono::milliseconds timeout) {
    if (socket.empty() || socket.native().size() >= sizeof(sockaddr_un::sun_path))
        return failure(socket, "not a usable Unix socket path (1 to 107 bytes)");
    if (!curl_ready()) return failure(socket, "libcurl cannot be initialised");
    CurlHandle curl(curl_easy_init());
    if (!curl) return failure(socket, "libcurl cannot create a handle");

    const std::string url = fmt::format("http://localhost{}", target);
    const std::string verb(method);
    std::string body;
    std::string reason;
    char curl_error[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    // HEAD has no body to wait for; every other method is sent as given.
    if (verb == "HEAD")
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (verb != "GET")
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, verb.c_str());
    curl_easy_setopt(h, CURLOPT_USERAGENT, "weftd");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for timeouts in a threaded caller
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &reason);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);

    const CURLcode result = curl_easy_perform(h);
    if (result != CURLE_OK) {
        long os_errno = 0;
        curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
        if (result == CURLE_COULDNT_CONNECT && os_errno != 0) {
            const int error = static_cast<int>(os_errno);
            return failure(socket, "cannot connect: " + os_error(error) + hint(error));
        }
        if (result == CURLE_OPERATION_TIMEDOUT)
            return failure(socket, fmt::format("no complete answer within {} ms", timeout.count()));
        return failure(
            socket,
            fmt::format("bad answer: {}", curl_error[0] ? curl_error : curl_easy_strerror(result)));
    }

    HttpReply reply;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    reply.status = static_cast<int>(status);
    reply.reason = std::move(reason);
    const char* content_type = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type)
        reply.content_type = content_type;
    reply.body = std::move(body);
    return HttpFetch{std::move(reply), {}};
}

}  // namespace weft::host::admin
