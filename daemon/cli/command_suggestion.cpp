#include "cli/command_suggestion.hpp"

#include <fmt/core.h>

#include <string_view>
#include <vector>

#include "host/config/suggest.hpp"

namespace weft::cli {

std::optional<std::string> unknown_command_message(const CLI::App& app, int argc,
                                                   const char* const* argv) {
    const CLI::App* current = &app;
    std::string path = app.get_name();
    for (int i = 1; i < argc; ++i) {
        const std::string_view word = argv[i];
        // An option ends the command words (a top-level option such as --help, or a command's).
        if (word.empty() || word.front() == '-') return std::nullopt;
        const auto commands = current->get_subcommands([](const CLI::App*) { return true; });
        if (commands.empty()) return std::nullopt;  // a positional argument, not a command
        const CLI::App* next = nullptr;
        std::vector<std::string_view> names;
        for (const CLI::App* command : commands) {
            if (command->check_name(std::string(word))) next = command;
            names.push_back(command->get_name());
        }
        if (next == nullptr) {
            const auto near = host::closest_match(word, names);
            return fmt::format("{}: unknown command '{}'{}; see '{} --help'", path, word,
                               near ? fmt::format(" (did you mean '{}'?)", *near) : "", path);
        }
        current = next;
        path += " " + current->get_name();
    }
    return std::nullopt;
}

}  // namespace weft::cli
