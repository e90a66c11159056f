// HttpExchange: one request on one connection of the admin endpoint, from the bytes received to
// the bytes of the answer, without sockets. The server (http_server.hpp) moves bytes; this decides
// what they mean, so tests and the fuzzer drive exactly what a client's bytes reach.
//
// The answer is HTTP/1.1 with Content-Length and "Connection: close": the server closes every
// connection after one answer (an admin client makes a request every few seconds; keeping
// connections open would only give a slow client more ways to hold one). A request the parser
// refuses gets its 4xx/5xx answer; a HEAD request gets the GET answer's head without the body.
//
// Thread-safety: none; one exchange per connection. The handler is called on the caller's thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "host/admin/http_request_parser.hpp"
#include "host/admin/http_types.hpp"

namespace weft::host::admin {

// Answers a request. An exception it throws becomes a 500 answer (logged with `where`).
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpExchange {
   public:
    // Feeds bytes received; once the request head is complete or refused, calls the handler (at
    // most once) and returns true: answer() is ready, or, if the handler gave a slow answer
    // (HttpResponse::later), take_slow() gives the call and finish() takes what it returned.
    // Bytes after the head are ignored.
    bool feed(std::string_view bytes, const HttpHandler& handler, std::string_view where);
    [[nodiscard]] bool answered() const noexcept { return answered_; }
    // The slow answer's call (once; empty if there is none). It may throw: run it through
    // run_slow_answer().
    [[nodiscard]] std::function<HttpResponse()> take_slow() noexcept {
        return std::exchange(slow_, {});
    }
    // Completes a slow answer with its call's response.
    void finish(const HttpResponse& response);
    // The answer's bytes; empty until answered.
    [[nodiscard]] const std::string& answer() const noexcept { return answer_; }
    // The status of the answer (0 until answered), for the log.
    [[nodiscard]] unsigned status() const noexcept { return status_; }

   private:
    RequestHeadParser parser_;
    bool fed_ = false;  // the handler was called
    bool answered_ = false;
    bool head_only_ = false;
    std::function<HttpResponse()> slow_;
    unsigned status_ = 0;
    std::string answer_;
};

// An answer as bytes: status line, Content-Type, Content-Length, Connection: close, the
// response's own headers, then the body unless `head_only`.
[[nodiscard]] std::string serialize_response(const HttpResponse& response, bool head_only);

// A plain-text answer with the status's reason phrase as body ("408 Request Timeout"...).
[[nodiscard]] HttpResponse plain_error(unsigned status, std::string_view detail = {});

// Calls a slow answer's `call`; an exception it throws becomes a 500 answer (logged with `where`).
[[nodiscard]] HttpResponse run_slow_answer(const std::function<HttpResponse()>& call,
                                           std::string_view where);

}  // namespace weft::host::admin
