#include "host/config/json_text.hpp"

#include <algorithm>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace weft::host {
namespace {

// Follows the parser's callbacks to know the JSON path being parsed, so that a repeated key can
// be reported with its path. Each open container is a frame; `segment` is the key or index of the
// member currently being parsed inside it.
class DuplicateKeyFinder {
   public:
    explicit DuplicateKeyFinder(Diagnostics& diag) : diag_(diag) {}

    bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
        using Event = Json::parse_event_t;
        switch (event) {
            case Event::object_start:
            case Event::array_start:
                begin_element();
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

   private:
    struct Frame {
        bool is_array;
        std::size_t next_index;
        std::string segment;
        std::set<std::string> keys;
    };

    // A new value starts; inside an array that advances the index.
    void begin_element() {
        if (!frames_.empty() && frames_.back().is_array) {
            Frame& frame = frames_.back();
            frame.segment = std::to_string(frame.next_index++);
        }
    }

    void on_key(std::string key) {
        Frame& frame = frames_.back();
        const bool repeated = !frame.keys.insert(key).second;
        frame.segment = std::move(key);
        if (!repeated) return;
        std::string path;
        for (const Frame& open : frames_) {
            path = child_path(path, open.segment);  // an array index needs no escaping
        }
        diag_.error(path, "duplicate key (each key may appear once per object)");
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
    try {
        return Json::parse(text, DuplicateKeyFinder(diag));
    } catch (const Json::parse_error& error) {
        diag.error(location_of(text, error.byte), "invalid JSON: " + reason_of(error));
        return std::nullopt;
    }
}

}  // namespace weft::host
