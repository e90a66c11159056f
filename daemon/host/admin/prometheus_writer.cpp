#include "host/admin/prometheus_writer.hpp"

#include <fmt/format.h>

#include <cmath>

namespace weft::host::admin {
namespace {
const char* type_name(MetricType type) noexcept {
    switch (type) {
        case MetricType::counter:
            return "counter";
        case MetricType::gauge:
            return "gauge";
        case MetricType::histogram:
            return "histogram";
    }
    return "untyped";
}
}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", value);  // shortest text that reads back as the same double
}

void PrometheusWriter::family(std::string_view name, std::string_view help, MetricType type) {
    fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name,
                   escape_help(help), name, type_name(type));
}

void PrometheusWriter::labels(std::span<const Label> labels) {
    if (labels.empty()) return;
    text_ += '{';
    bool first = true;
    for (const Label& label : labels) {
        if (!first) text_ += ',';
        first = false;
        fmt::format_to(std::back_inserter(text_), "{}=\"{}\"", label.name,
                       escape_label_value(label.value));
    }
    text_ += '}';
}

void PrometheusWriter::sample(std::string_view name, std::span<const Label> labels, double value) {
    text_ += name;
    this->labels(labels);
    fmt::format_to(std::back_inserter(text_), " {}\n", format_value(value));
}

void PrometheusWriter::sample(std::string_view name, std::span<const Label> labels,
                              std::uint64_t value) {
    text_ += name;
    this->labels(labels);
    fmt::format_to(std::back_inserter(text_), " {}\n", value);
}

}  // namespace weft::host::admin
