// What the commands that talk to a running daemon share: which admin socket to use, and one GET
// on it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "cli/options.hpp"

namespace weft::cli {

// --socket if given; else admin.socket of -c FILE; else of the installed config if it exists;
// else the built-in default (/run/weft/admin.sock). Returns an exit code (kExitConfig) after
// printing the config's errors when the config cannot be loaded.
[[nodiscard]] std::variant<std::filesystem::path, int> admin_socket(const AdminOptions& options);

// GETs `target`; the body of a 200 answer, or nothing after printing one line naming the socket
// and what went wrong to stderr.
[[nodiscard]] std::optional<std::string> admin_get(const std::filesystem::path& socket,
                                                   std::string_view target);

// Both, as status and metrics use them: the body, or the exit code to return.
[[nodiscard]] std::variant<std::string, int> query_admin(const AdminOptions& options,
                                                         std::string_view target);

}  // namespace weft::cli
