// PrometheusWriter: builds a text exposition (format 0.0.4) one metric family at a time.
//
//   family("weft_plugin_live_tasks", "Tasks ...", MetricType::gauge);
//   sample("weft_plugin_live_tasks", {{"plugin", name}}, 3);
//
// It writes what it is given: the caller keeps names valid ([a-zA-Z_:][a-zA-Z0-9_:]*), gives each
// family's HELP and TYPE once before its samples, and ends counter names in "_total". Label
// values and HELP text are escaped here, so any plugin, channel or job name is safe in them.
//
// Thread-safety: none; one writer per rendering.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace weft::host::admin {

enum class MetricType { counter, gauge, histogram };

struct Label {
    std::string_view name;
    std::string_view value;
};

// Backslash, double quote and newline escaped, as label values need.
[[nodiscard]] std::string escape_label_value(std::string_view value);
// Backslash and newline escaped, as HELP text needs.
[[nodiscard]] std::string escape_help(std::string_view help);
// "1.5", "3", "NaN", "+Inf": the exposition's number syntax.
[[nodiscard]] std::string format_value(double value);

class PrometheusWriter {
   public:
    void family(std::string_view name, std::string_view help, MetricType type);
    void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
        sample(name, std::span<const Label>(labels.begin(), labels.size()), value);
    }
    void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value) {
        sample(name, std::span<const Label>(labels.begin(), labels.size()), value);
    }
    // The same, with labels known only at run time (a plugin's own metrics).
    void sample(std::string_view name, std::span<const Label> labels, double value);
    void sample(std::string_view name, std::span<const Label> labels, std::uint64_t value);

    [[nodiscard]] const std::string& text() const noexcept { return text_; }
    [[nodiscard]] std::string take() noexcept { return std::move(text_); }

   private:
    void labels(std::span<const Label> labels);

    std::string text_;
};

}  // namespace weft::host::admin
