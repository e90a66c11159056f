#include "host/config/json_text.hpp"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace weft::host {
namespace {

// Follows the parser's callbacks to know the JSON path being parsed, so that a repeated key, a
// number out of range or nesting too deep can be reported with its path. Each open container is a
// frame; `segment` is the key or index of the member currently being parsed inside it.
class PathTracker {
   public:
    explicit PathTracker(Diagnostics& diag) : diag_(diag) {}

    bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
        using Event = Json::parse_event_t;
        switch (event) {
            case Event::object_start:
            case Event::array_start:
                begin_element();
                if (frames_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
                    // Thrown, not a `false` return: that would only drop the value while the
                    // parser kept reading (and calling us) through every level below.
                    throw Refused{path(), fmt::format("nested deeper than {} levels of arrays and "
                                                      "objects (the limit of a config file)",
                                                      kMaxJsonDepth)};
                }
                frames_.push_back(Frame{event == Event::array_start, 0, {}, {}});
                break;
            case Event::object_end:
            case Event::array_end:
                frames_.pop_back();
                break;
            case Event::key:
                on_key(parsed.get<std::string>());
                break;
            case Event::value:
                begin_element();
                break;
        }
        return true;  // keep everything: we only observe
    }

    // Where a scalar that failed to parse sits: the key just read, or the next index of an array.
    [[nodiscard]] std::string pending_path() const {
        std::string out;
        for (std::size_t i = 0; i < frames_.size(); ++i) {
            const Frame& open = frames_[i];
            const bool innermost = i + 1 == frames_.size();
            out = child_path(
                out, innermost && open.is_array ? std::to_string(open.next_index) : open.segment);
        }
        return out;
    }

    // Thrown from the callback to stop the parse: a document past one of the limits.
    struct Refused {
        std::string path;
        std::string message;
    };

   private:
    struct Frame {
        bool is_array;
        std::size_t next_index;
        std::string segment;
        std::set<std::string> keys;
    };

    // The path of the member being parsed (each open container's current segment).
    [[nodiscard]] std::string path() const {
        std::string out;
        for (const Frame& open : frames_) out = child_path(out, open.segment);
        return out;
    }

    // A new value starts; inside an array that advances the index.
    void begin_element() {
        if (!frames_.empty() && frames_.back().is_array) {
            Frame& frame = frames_.back();
            frame.segment = std::to_string(frame.next_index++);
        }
    }

    void on_key(std::string key) {
        Frame& frame = frames_.back();
        if (frame.keys.size() == kMaxJsonMembers) {
            std::string object;
            for (std::size_t i = 0; i + 1 < frames_.size(); ++i)
                object = child_path(object, frames_[i].segment);
            throw Refused{object, fmt::format("more than {} keys in one object (the limit of a "
                                              "config file)",
                                              kMaxJsonMembers)};
        }
        const bool repeated = !frame.keys.insert(key).second;
        frame.segment = std::move(key);
        if (repeated) diag_.error(path(), "duplicate key (each key may appear once per object)");
    }

    Diagnostics& diag_;
    std::vector<Frame> frames_;
};

// nlohmann's parse_error::byte is the 1-based offset of the last character read.
std::string location_of(std::string_view text, std::size_t byte) {
    const std::size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
    const std::string_view before = text.substr(0, end);
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t line_start = before.rfind('\n');
    const std::size_t column = line_start == std::string_view::npos ? end + 1 : end - line_start;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// Drops nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix;
// we print our own location.
std::string reason_of(const Json::parse_error& error) {
    std::string_view what = error.what();
    const std::size_t bracket = what.find("] ");
    const std::size_t colon = what.find(": ", bracket == std::string_view::npos ? 0 : bracket);
    if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
    return std::string(what);
}

}  // namespace

std::optional<Json> parse_json_text(std::string_view text, Diagnostics& diag) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        diag.error("line 1, column 1", "the file is empty; expected a JSON object");
        return std::nullopt;
    }
    PathTracker tracker(diag);
    try {
        return Json::parse(text, std::ref(tracker));
    } catch (const Json::parse_error& error) {
        diag.error(location_of(text, error.byte), "invalid JSON: " + reason_of(error));
    } catch (const Json::out_of_range&) {
        // nlohmann's only range error while parsing: a number no double holds (1e400, or an
        // integer of hundreds of digits, which it tries as a double after 64 bits overflow).
        diag.error(tracker.pending_path(), "number out of range (too large for any number type)");
    } catch (const PathTracker::Refused& refused) {
        diag.error(refused.path, refused.message);
    }
    return std::nullopt;
}

}  // namespace weft::host
