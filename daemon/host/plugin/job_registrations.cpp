#include "host/plugin/job_registrations.hpp"

#include <algorithm>

namespace weft::host {

JobRegistrations::AddResult JobRegistrations::add(JobFunction fn) {
    std::lock_guard lock(mutex_);
    if (closed_) return AddResult::closed;
    const bool taken = std::any_of(functions_.begin(), functions_.end(),
                                   [&](const JobFunction& f) { return f.name == fn.name; });
    if (taken) return AddResult::exists;
    functions_.push_back(std::move(fn));
    return AddResult::added;
}

std::optional<JobFunction> JobRegistrations::find(std::string_view name) const {
    std::lock_guard lock(mutex_);
    for (const JobFunction& f : functions_)
        if (f.name == name) return f;
    return std::nullopt;
}

std::vector<std::string> JobRegistrations::names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    out.reserve(functions_.size());
    for (const JobFunction& f : functions_) out.push_back(f.name);
    return out;
}

void JobRegistrations::close() noexcept {
    std::lock_guard lock(mutex_);
    closed_ = true;
}

}  // namespace weft::host
