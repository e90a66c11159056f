// RequestHeadParser: reads an HTTP/1.x request head (request line and header fields, RFC 9112)
// byte by byte, as it arrives, for the admin endpoint's server.
//
// Why incremental: a client that trickles its request must cost the server O(1) work per byte
// (re-scanning a growing buffer on every read would be quadratic), and a client that sends
// something that is not HTTP (a TLS hello, binary garbage) is rejected at the first byte that
// cannot belong to a request, not when a buffer fills or a timeout fires.
//
// What it accepts: `METHOD SP target SP HTTP/1.D` then header lines `name: value`, each line
// ended by CRLF or a bare LF, then an empty line. Empty lines before the request line are skipped
// (RFC 9112 2.2). The target is an origin-form path (`/metrics?x=1`), an absolute form
// (`http://localhost/metrics`) or `*`; the query is dropped from path(). Header values are checked
// for forbidden control bytes and then ignored: the admin endpoint answers GET and HEAD, reads no
// body and closes every connection after its answer. Obsolete line folding is rejected.
//
// Errors (state() == bad): status() says which answer to send: 400 for malformed input, 414 for
// a request line longer than kMaxHead, 431 for a head longer than kMaxHead, 505 for a version
// other than HTTP/1.x; reason() says why in a few words.
//
// Thread-safety: none; one parser per connection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::host::admin {

class RequestHeadParser {
   public:
    // A request head larger than this is refused: ours are a hundred bytes.
    static constexpr std::size_t kMaxHead = 8 * 1024;

    enum class State { incomplete, complete, bad };

    // Consumes bytes until the head is complete or found bad; returns how many were used (bytes
    // after the head, a body or a pipelined request, are left to the caller). Once complete or
    // bad, consumes nothing.
    std::size_t feed(std::string_view bytes);

    [[nodiscard]] State state() const noexcept { return state_; }
    // Valid once complete.
    [[nodiscard]] std::string_view method() const noexcept { return method_; }
    [[nodiscard]] std::string_view path() const noexcept { return path_; }
    [[nodiscard]] std::string_view target() const noexcept { return target_; }
    // Once bad: the HTTP status to answer with, and why.
    [[nodiscard]] unsigned status() const noexcept { return status_; }
    [[nodiscard]] std::string_view reason() const noexcept { return reason_; }

   private:
    enum class Step {
        start,
        method,
        target,
        version,
        request_line_lf,
        line_start,
        name,
        value,
        line_lf,
        final_lf,
    };

    void step(unsigned char c);
    void fail(unsigned status, std::string_view reason);
    void end_request_line();
    void finish();

    State state_ = State::incomplete;
    Step step_ = Step::start;
    std::size_t seen_ = 0;
    std::string method_;
    std::string target_;
    std::string version_;
    std::string path_;
    unsigned status_ = 0;
    std::string_view reason_;
};

}  // namespace weft::host::admin
