// A minimal C++ plugin built out of tree against the installed SDK.
#include <weft/plugin.hpp>

class Hello : public weft::Plugin {
   public:
    explicit Hello(const weft::PluginContext& ctx) : Plugin(ctx) {}
    void start() override { spawn(greet()); }

   private:
    weft::Task<> greet() {
        log().info("hello from an out-of-tree plugin");
        co_await shutdown().requested();
    }
};

WEFT_PLUGIN(Hello, "hello", "0.0.1")
