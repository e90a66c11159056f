// The README's "Writing a plugin" example, verbatim: the out-of-tree test keeps it compiling.
#include <weft/plugin.hpp>

#include <chrono>
#include <string>

class Greeter : public weft::Plugin {
   public:
    explicit Greeter(const weft::PluginContext& ctx)
        : Plugin(ctx), pause_(config().value("pause_ms", 100)) {}
    void start() override { spawn(run()); }

   private:
    weft::Task<> run() {
        weft::Receiver<std::string> names(host(), "names", weft::ChannelKind::mpsc, 64);
        while (true) {
            auto next = co_await shutdown().run_until_cancelled(names.recv());
            if (!next) break;  // shutting down
            auto& name = *next;
            if (!name) break;  // the channel closed
            log().info("hello, ", *name);
            co_await weft::sleep(std::chrono::milliseconds(pause_));
        }
    }
    int pause_;
};

WEFT_PLUGIN(Greeter, "greeter", "1.0.0")
