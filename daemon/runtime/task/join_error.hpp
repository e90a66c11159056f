// JoinError: why awaiting a JoinHandle gave no value.
//   Cancelled: the task was aborted (JoinHandle::abort, JoinSet, runtime shutdown);
//              what() reads "task 17 was cancelled".
//   Failed:    an exception escaped the task; what() reads "task 17 failed: <its message>" and
//              exception() is the original, for rethrowing. The process is never taken down by
//              a task.
// id() is the task's id (task_id.hpp), as JoinHandle::id() gave it, so that a log line naming
// the error can be traced to the task.
#pragma once

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>

namespace weft {

class JoinError : public std::runtime_error {
   public:
    enum class Kind { cancelled, failed };

    [[nodiscard]] static JoinError cancelled(std::uint64_t id) {
        return JoinError(Kind::cancelled, "task " + std::to_string(id) + " was cancelled", id,
                         nullptr);
    }
    [[nodiscard]] static JoinError failed(std::uint64_t id, std::exception_ptr e) {
        std::string what = "task " + std::to_string(id) + " failed: " + describe(e);
        return JoinError(Kind::failed, what, id, std::move(e));
    }

    [[nodiscard]] Kind kind() const noexcept { return kind_; }
    [[nodiscard]] bool is_cancelled() const noexcept { return kind_ == Kind::cancelled; }
    [[nodiscard]] bool is_failed() const noexcept { return kind_ == Kind::failed; }
    [[nodiscard]] const std::exception_ptr& exception() const noexcept { return exception_; }
    [[nodiscard]] std::uint64_t id() const noexcept { return id_; }

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
    JoinError(Kind kind, const std::string& what, std::uint64_t id, std::exception_ptr e)
        : std::runtime_error(what), kind_(kind), id_(id), exception_(std::move(e)) {}
    Kind kind_;
    std::uint64_t id_;
    std::exception_ptr exception_;
};

}  // namespace weft
