// Running weftd as a child process for integration tests: stdout and stderr go to files the test
// can poll, and every wait has a deadline so a hung daemon fails the test instead of hanging it.
//
// Deadlines are generous (a loaded 2-core machine under a sanitizer is slow) and only bound the
// wait: no test asserts how long anything took.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace weft::test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

inline constexpr std::chrono::seconds kStartDeadline{20};
inline constexpr std::chrono::seconds kExitDeadline{30};
inline constexpr std::chrono::milliseconds kPollInterval{10};

inline std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// How many times `needle` occurs in `text` (overlapping occurrences counted).
inline std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// Polls `file` until it contains `needle`; false at the deadline.
inline bool wait_for_text(const fs::path& file, std::string_view needle,
                          std::chrono::steady_clock::duration deadline = kStartDeadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        if (read_text(file).find(needle) != std::string::npos) return true;
        std::this_thread::sleep_for(kPollInterval);
    }
    return read_text(file).find(needle) != std::string::npos;
}

// A temporary directory, removed with everything in it.
class TempDir {
   public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "weftd-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const fs::path& path() const { return path_; }
    fs::path write(const std::string& name, std::string_view text) const {
        const fs::path file = path_ / name;
        std::ofstream(file) << text;
        return file;
    }

   private:
    fs::path path_;
};

// A child process with stdout and stderr captured in files under its own TempDir.
class Child {
   public:
    // The child sees this process's environment without any WEFT_* variable, plus `env` (NAME=value
    // entries). Unless `env` sets WEFT_ADMIN_SOCKET, a weftd child serves its admin endpoint in its
    // own temporary directory, never on the system's /run/weft.
    explicit Child(std::vector<std::string> args, std::vector<std::string> env = {}) {
        stdout_ = dir_.path() / "stdout";
        stderr_ = dir_.path() / "stderr";
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::vector<char*> argv;
        for (std::string& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        bool own_socket = false;
        for (const std::string& entry : env) own_socket |= entry.starts_with("WEFT_ADMIN_SOCKET=");
        if (!own_socket)
            env.push_back("WEFT_ADMIN_SOCKET=" + (dir_.path() / "admin.sock").string());
        std::vector<char*> envp = environment_without_weft_overrides(env);
        const int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (error != 0) throw std::runtime_error("posix_spawn failed: " + std::to_string(error));
    }
    ~Child() {
        if (pid_ > 0) {  // the test failed before the child exited: do not leak it
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    void send(int signum) const { ::kill(pid_, signum); }

    // The exit code (128 + N if killed by signal N), or nothing at the deadline.
    std::optional<int> wait_exit(std::chrono::steady_clock::duration deadline = kExitDeadline) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (true) {
            int status = 0;
            const pid_t done = ::waitpid(pid_, &status, WNOHANG);
            if (done == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            if (std::chrono::steady_clock::now() >= until) return std::nullopt;
            std::this_thread::sleep_for(kPollInterval);
        }
    }

    [[nodiscard]] const fs::path& stdout_file() const { return stdout_; }
    [[nodiscard]] const fs::path& stderr_file() const { return stderr_; }
    [[nodiscard]] std::string out() const { return read_text(stdout_); }
    [[nodiscard]] std::string err() const { return read_text(stderr_); }

   private:
    // WEFT_* variables from the developer's shell would override the configs under test.
    static std::vector<char*> environment_without_weft_overrides(std::vector<std::string>& extra) {
        std::vector<char*> envp;
        for (std::string& entry : extra) envp.push_back(entry.data());
        for (char** var = environ; *var != nullptr; ++var) {
            if (std::string_view(*var).starts_with("WEFT_")) continue;
            envp.push_back(*var);
        }
        envp.push_back(nullptr);
        return envp;
    }

    TempDir dir_;
    fs::path stdout_;
    fs::path stderr_;
    pid_t pid_ = -1;
};

}  // namespace weft::test
