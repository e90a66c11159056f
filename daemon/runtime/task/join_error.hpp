// JoinError: why awaiting a JoinHandle gave no value.
//   Cancelled: the task was aborted (JoinHandle::abort, JoinSet, runtime shutdown).
//   Failed:    an exception escaped the task; what() carries its message and exception() the
//              original, for rethrowing. The process is never taken down by a task.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace weft {

class JoinError : public std::runtime_error {
   public:
    enum class Kind { Cancelled, Failed };

    [[nodiscard]] static JoinError cancelled() {
        return JoinError(Kind::Cancelled, "task was cancelled", nullptr);
    }
    [[nodiscard]] static JoinError failed(std::exception_ptr e) {
        std::string what = "task failed: " + describe(e);
        return JoinError(Kind::Failed, what, std::move(e));
    }

    [[nodiscard]] Kind kind() const noexcept { return kind_; }
    [[nodiscard]] bool is_cancelled() const noexcept { return kind_ == Kind::Cancelled; }
    [[nodiscard]] bool is_failed() const noexcept { return kind_ == Kind::Failed; }
    [[nodiscard]] const std::exception_ptr& exception() const noexcept { return exception_; }

    // The message of an exception, or a placeholder for a non-std exception.
    [[nodiscard]] static std::string describe(const std::exception_ptr& e) {
        try {
            if (e) std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            return ex.what();
        } catch (...) {
            return "unknown exception";
        }
        return "no exception";
    }

   private:
    JoinError(Kind kind, const std::string& what, std::exception_ptr e)
        : std::runtime_error(what), kind_(kind), exception_(std::move(e)) {}
    Kind kind_;
    std::exception_ptr exception_;
};

}  // namespace weft
