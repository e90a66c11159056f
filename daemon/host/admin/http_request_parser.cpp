#include "host/admin/http_request_parser.hpp"

namespace weft::host::admin {
namespace {

// tchar of RFC 9110 5.6.2: the bytes of a method or a header name.
bool is_tchar(unsigned char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    switch (c) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '.':
        case '^':
        case '_':
        case '`':
        case '|':
        case '~':
            return true;
        default:
            return false;
    }
}

// A request target is visible ASCII (RFC 3986 allows nothing else unencoded).
bool is_target_char(unsigned char c) noexcept { return c > 0x20 && c < 0x7f; }

// A field value: visible ASCII, space, tab and obs-text (bytes >= 0x80); never other controls.
bool is_value_char(unsigned char c) noexcept { return c == '\t' || (c >= 0x20 && c != 0x7f); }

constexpr std::string_view kVersionPrefix = "HTTP/";
constexpr std::size_t kMaxMethod = 32;  // the longest registered method is 17 bytes

}  // namespace

std::size_t RequestHeadParser::feed(std::string_view bytes) {
    std::size_t used = 0;
    while (used < bytes.size() && state_ == State::incomplete) {
        if (++seen_ > kMaxHead) {
            const bool in_line = step_ == Step::start || step_ == Step::method ||
                                 step_ == Step::target || step_ == Step::version;
            fail(in_line ? 414 : 431,
                 in_line ? "request line too long" : "request header fields too large");
            break;
        }
        step(static_cast<unsigned char>(bytes[used++]));
    }
    return used;
}

void RequestHeadParser::step(unsigned char c) {
    switch (step_) {
        case Step::start:
            if (c == '\r' || c == '\n') return;  // empty lines before the request line
            if (!is_tchar(c)) return fail(400, "not an HTTP request");
            method_ += static_cast<char>(c);
            step_ = Step::method;
            return;
        case Step::method:
            if (c == ' ') {
                step_ = Step::target;
                return;
            }
            if (!is_tchar(c)) return fail(400, "bad method");
            if (method_.size() == kMaxMethod) return fail(400, "method too long");
            method_ += static_cast<char>(c);
            return;
        case Step::target:
            if (c == ' ') {
                if (target_.empty()) return fail(400, "empty request target");
                step_ = Step::version;
                return;
            }
            if (!is_target_char(c)) return fail(400, "bad request target");
            target_ += static_cast<char>(c);
            return;
        case Step::version: {
            if (c == '\r' || c == '\n') {
                end_request_line();
                if (state_ == State::incomplete)
                    step_ = c == '\r' ? Step::request_line_lf : Step::line_start;
                return;
            }
            // Checked byte by byte, so that "GET / XYZ..." fails at once.
            const std::size_t at = version_.size();
            bool fits = false;
            if (at < kVersionPrefix.size()) {
                fits = c == static_cast<unsigned char>(kVersionPrefix[at]);
            } else if (at == kVersionPrefix.size()) {
                if (c >= '0' && c <= '9' && c != '1') return fail(505, "only HTTP/1.x is served");
                fits = c == '1';
            } else if (at == kVersionPrefix.size() + 1) {
                fits = c == '.';
            } else if (at == kVersionPrefix.size() + 2) {
                fits = c >= '0' && c <= '9';
            }
            if (!fits) return fail(400, "bad HTTP version");
            version_ += static_cast<char>(c);
            return;
        }
        case Step::request_line_lf:
        case Step::line_lf:
            if (c != '\n') return fail(400, "CR without LF");
            step_ = Step::line_start;
            return;
        case Step::line_start:
            if (c == '\r') {
                step_ = Step::final_lf;
                return;
            }
            if (c == '\n') return finish();
            if (c == ' ' || c == '\t') return fail(400, "obsolete line folding");
            if (!is_tchar(c)) return fail(400, "bad header field name");
            step_ = Step::name;
            return;
        case Step::name:
            if (c == ':') {
                step_ = Step::value;
                return;
            }
            if (!is_tchar(c)) return fail(400, "bad header field name");
            return;
        case Step::value:
            if (c == '\r') {
                step_ = Step::line_lf;
                return;
            }
            if (c == '\n') {
                step_ = Step::line_start;
                return;
            }
            if (!is_value_char(c)) return fail(400, "control byte in a header field value");
            return;
        case Step::final_lf:
            if (c != '\n') return fail(400, "CR without LF");
            return finish();
    }
}

void RequestHeadParser::end_request_line() {
    if (version_.size() != kVersionPrefix.size() + 3) return fail(400, "bad HTTP version");
    std::string_view path = target_;
    // Absolute form (what a client talking to a proxy sends): keep the path after the authority.
    for (std::string_view scheme : {"http://", "https://"}) {
        if (!path.starts_with(scheme)) continue;
        path.remove_prefix(scheme.size());
        const std::size_t slash = path.find('/');
        path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
        break;
    }
    if (!path.starts_with('/') && path != "*") return fail(400, "bad request target");
    path = path.substr(0, path.find_first_of("?#"));
    path_ = std::string(path);
}

void RequestHeadParser::finish() { state_ = State::complete; }

void RequestHeadParser::fail(unsigned status, std::string_view reason) {
    state_ = State::bad;
    status_ = status;
    reason_ = reason;
}

}  // namespace weft::host::admin
