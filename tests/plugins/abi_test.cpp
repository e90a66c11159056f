// The ABI checks: every way a file can fail to be a loadable plugin gives one message that names
// the file, says what is wrong and what to do; `inspect` describes a good one.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>

#include "host/plugin/inspect.hpp"
#include "host/plugin/library.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
using weft::host::inspect_plugin;

fs::path bad(const std::string& name) { return fs::path(WEFT_TEST_BAD_PLUGIN_DIR) / name; }

struct TempFile {
    explicit TempFile(const std::string& text) {
        path = fs::temp_directory_path() / ("weft-abi-test-" + std::to_string(::getpid()) + ".so");
        std::ofstream(path) << text;
    }
    ~TempFile() { fs::remove(path); }
    fs::path path;
};

}  // namespace

TEST_CASE("plugin abi: a plugin built for another ABI major is refused, naming both versions") {
    const auto r = inspect_plugin(bad("bad_wrong_major.so"));
    REQUIRE_FALSE(r.ok);
    CHECK_THAT(r.text, Catch::Contains("bad_wrong_major.so"));
    CHECK_THAT(r.text, Catch::Contains("built for plugin ABI 2.0"));
    CHECK_THAT(r.text,
               Catch::Contains("this weftd provides ABI " + std::to_string(WEFT_PLUGIN_ABI_MAJOR) +
                               "." + std::to_string(WEFT_PLUGIN_ABI_MINOR)));
    CHECK_THAT(r.text, Catch::Contains("rebuild the plugin"));
}

TEST_CASE("plugin abi: a plugin built for a newer ABI minor is refused, naming both versions") {
    const auto r = inspect_plugin(bad("bad_newer_minor.so"));
    REQUIRE_FALSE(r.ok);
    CHECK_THAT(r.text, Catch::Contains("bad_newer_minor.so"));
    CHECK_THAT(r.text,
               Catch::Contains("built for plugin ABI " + std::to_string(WEFT_PLUGIN_ABI_MAJOR) +
                               "." + std::to_string(WEFT_PLUGIN_ABI_MINOR + 1)));
    CHECK_THAT(r.text, Catch::Contains("this weftd's ABI " + std::to_string(WEFT_PLUGIN_ABI_MAJOR) +
                                       "." + std::to_string(WEFT_PLUGIN_ABI_MINOR)));
    CHECK_THAT(r.text, Catch::Contains("upgrade weftd"));
}

TEST_CASE("plugin abi: an older minor of the same major is accepted") {
    CHECK(weft::host::check_abi("x.so", WEFT_PLUGIN_ABI_MAJOR, 0).empty());
}

TEST_CASE("plugin abi: a shared library without the entry symbol is not a plugin") {
    const auto r = inspect_plugin(bad("bad_no_entry.so"));
    REQUIRE_FALSE(r.ok);
    CHECK_THAT(r.text, Catch::Contains("bad_no_entry.so"));
    CHECK_THAT(r.text, Catch::Contains("exports no `weft_plugin_entry` symbol"));
    CHECK_THAT(r.text, Catch::Contains("WEFT_PLUGIN"));
}

TEST_CASE("plugin abi: an entry returning no descriptor is refused") {
    const auto r = inspect_plugin(bad("bad_null_descriptor.so"));
    REQUIRE_FALSE(r.ok);
    CHECK_THAT(r.text, Catch::Contains("returned no descriptor"));
}

TEST_CASE("plugin abi: a missing file is reported with the plugin directory hint") {
    const auto r = inspect_plugin(bad("does_not_exist.so"));
    REQUIRE_FALSE(r.ok);
    CHECK_THAT(r.text, Catch::Contains("does_not_exist.so: no such file"));
    CHECK_THAT(r.text, Catch::Contains("--plugin-dir"));
}

TEST_CASE("plugin abi: a file that is not a shared library is reported as such") {
    TempFile text("this is not an ELF file\n");
    const auto r = inspect_plugin(text.path);
    REQUIRE_FALSE(r.ok);
    CHECK_THAT(r.text, Catch::Contains(text.path.string()));
    CHECK_THAT(r.text, Catch::Contains("not a shared library"));
}

TEST_CASE("plugin abi: a directory is not a plugin file") {
    const auto r = inspect_plugin(WEFT_TEST_BAD_PLUGIN_DIR);
    REQUIRE_FALSE(r.ok);
    CHECK_THAT(r.text, Catch::Contains("not a regular file"));
}

TEST_CASE("plugin abi: inspect describes a good plugin's descriptor") {
    const auto r = inspect_plugin(bad("bad_lifecycle.so"));
    REQUIRE(r.ok);
    CHECK_THAT(r.text, Catch::Contains("name:    lifecycle"));
    CHECK_THAT(r.text, Catch::Contains("version: 2.3.4"));
    CHECK_THAT(r.text, Catch::Contains("ABI:     " + std::to_string(WEFT_PLUGIN_ABI_MAJOR) + "." +
                                       std::to_string(WEFT_PLUGIN_ABI_MINOR)));
    CHECK_THAT(r.text, Catch::Contains("hooks:   init start stop destroy validate"));
    CHECK_THAT(r.text, Catch::Contains("manifest: none"));
}

TEST_CASE("plugin abi: validate_plugins runs each plugin's validate on its config") {
    const auto config = weft::test::config_from(R"({"plugins": [
        {"name": "a", "path": "bad_lifecycle.so", "config": {"bad": true}},
        {"name": "b", "path": "bad_lifecycle.so", "config": {"bad": false}},
        {"name": "c", "path": "missing.so"},
        {"name": "d", "path": "bad_wrong_major.so"}]})");
    const auto errors = weft::host::validate_plugins(config, WEFT_TEST_BAD_PLUGIN_DIR);
    REQUIRE(errors.size() == 3);
    CHECK_THAT(errors[0], Catch::StartsWith("/plugins/0/config: rejected by plugin 'a': "
                                            "\"bad\" must not be true"));
    CHECK_THAT(errors[1], Catch::StartsWith("/plugins/2: plugin 'c': "));
    CHECK_THAT(errors[1], Catch::Contains("no such file"));
    CHECK_THAT(errors[2], Catch::StartsWith("/plugins/3: plugin 'd': "));
    CHECK_THAT(errors[2], Catch::Contains("ABI 2.0"));
}
