// CancellationToken's tree (see cancellation_token.hpp).
//
// Invariants, under the tree mutex: a node is in its parent's `children` iff its `parent` points
// to that parent; a cancelled node has no parent and no children (cancellation detaches the whole
// subtree, which needs no more links); a node whose handles dropped to zero is detached and its
// children moved to its parent (or made roots).
#include "runtime/sync/cancellation_token.hpp"

#include <algorithm>
#include <utility>

namespace weft::sync {

CancellationToken::CancellationToken()
    : node_(std::make_shared<detail::TreeNode>(std::make_shared<std::mutex>())) {}

CancellationToken::~CancellationToken() {
    if (!node_ || node_->handles.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    detail::TreeNode& n = *node_;
    std::lock_guard lock(*n.tree);
    std::shared_ptr<detail::TreeNode> parent = std::move(n.parent);
    if (parent) {
        auto& siblings = parent->children;
        std::erase_if(siblings, [&](const detail::TreeNode::Child& c) {
            return c.raw == &n || c.node.expired();
        });
    }
    for (auto& c : n.children) {
        std::shared_ptr<detail::TreeNode> child = c.node.lock();
        if (!child) continue;
        child->parent = parent;
        if (parent) parent->children.push_back({child.get(), child});
    }
    n.children.clear();
}

void CancellationToken::cancel() const noexcept {
    if (node_->cancelled.load(std::memory_order_acquire)) return;
    std::vector<std::shared_ptr<detail::TreeNode>> cancelled;
    {
        std::lock_guard lock(*node_->tree);
        std::vector<std::shared_ptr<detail::TreeNode>> stack{node_};
        while (!stack.empty()) {
            std::shared_ptr<detail::TreeNode> n = std::move(stack.back());
            stack.pop_back();
            if (n->cancelled.load(std::memory_order_relaxed)) continue;
            n->cancelled.store(true, std::memory_order_release);
            for (auto& c : n->children)
                if (auto child = c.node.lock()) stack.push_back(std::move(child));
            n->children.clear();
            if (n->parent) {  // detach from a live, uncancelled parent
                std::erase_if(n->parent->children,
                              [&](const detail::TreeNode::Child& c) { return c.raw == n.get(); });
                n->parent.reset();
            }
            cancelled.push_back(std::move(n));
        }
    }
    for (auto& n : cancelled) n->notify.notify_waiters();
}

CancellationToken CancellationToken::child_token() const {
    auto child = std::make_shared<detail::TreeNode>(node_->tree);
    std::lock_guard lock(*node_->tree);
    if (node_->cancelled.load(std::memory_order_relaxed)) {
        child->cancelled.store(true, std::memory_order_relaxed);
    } else {
        auto& siblings = node_->children;
        if (siblings.size() >= 16 && siblings.size() == siblings.capacity())
            std::erase_if(siblings,
                          [](const detail::TreeNode::Child& c) { return c.node.expired(); });
        child->parent = node_;
        siblings.push_back({child.get(), child});
    }
    return CancellationToken(std::move(child));
}

}  // namespace weft::sync
