// config/weftd.schema.json and weftd's own validator (host/config/) must agree: a corpus of
// configs (tests/host/config_corpus/) goes through both, the schema driven by valijson.
//   good/       both accept
//   bad/        both reject (structure: keys, types, ranges, patterns, addresses)
//   code_only/  the schema accepts what only code can judge (cross-references, unique names,
//               cron fields), the validator rejects: the line between the two, kept visible
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "host/config/config.hpp"
#include "runtime/limits.hpp"

namespace {

namespace fs = std::filesystem;
const fs::path kSource = WEFT_SOURCE_DIR;

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class SchemaValidator {
   public:
    SchemaValidator() {
        document_ = nlohmann::json::parse(read_text(kSource / "config/weftd.schema.json"));
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter adapter(document_);
        parser.populateSchema(adapter, schema_);
    }
    // Empty when `config` is valid; else the first reasons the schema gives.
    std::string errors(const nlohmann::json& config) const {
        valijson::Validator validator;
        valijson::ValidationResults results;
        valijson::adapters::NlohmannJsonAdapter target(config);
        if (validator.validate(schema_, target, &results)) return {};
        std::string text = "schema rejects:";
        valijson::ValidationResults::Error error;
        while (results.popError(error)) {
            std::string where;
            for (const auto& step : error.context) where += step;
            text += "\n  " + where + ": " + error.description;
        }
        return text;
    }

   private:
    nlohmann::json document_;
    valijson::Schema schema_;
};

const SchemaValidator& schema() {
    static const SchemaValidator validator;
    return validator;
}

// Empty when weftd accepts the file; else its errors.
std::string code_errors(const fs::path& file) {
    const auto result = weft::host::load_config(
        file, [](const char*) -> std::optional<std::string> { return std::nullopt; });
    std::string text;
    for (const auto& e : result.errors) text += "\n  " + e;
    return result.ok() ? std::string() : "weftd rejects:" + text;
}

std::vector<fs::path> corpus(const std::string& folder) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kSource / "tests/host/config_corpus" / folder))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST_CASE("schema agreement: every good config is accepted by the schema and by weftd") {
    const auto files = corpus("good");
    REQUIRE(files.size() >= 5);
    for (const auto& file : files) {
        INFO(file.filename().string());
        const auto config = nlohmann::json::parse(read_text(file));
        INFO(schema().errors(config));
        INFO(code_errors(file));
        CHECK(schema().errors(config).empty());
        CHECK(code_errors(file).empty());
    }
}

TEST_CASE("schema agreement: every bad config is rejected by the schema and by weftd") {
    const auto files = corpus("bad");
    REQUIRE(files.size() >= 30);
    for (const auto& file : files) {
        INFO(file.filename().string());
        const auto config = nlohmann::json::parse(read_text(file));
        CHECK_FALSE(schema().errors(config).empty());
        CHECK_FALSE(code_errors(file).empty());
    }
}

TEST_CASE("schema agreement: cross-references are weftd's alone (the schema cannot judge them)") {
    const auto files = corpus("code_only");
    REQUIRE(files.size() >= 4);
    for (const auto& file : files) {
        INFO(file.filename().string());
        const auto config = nlohmann::json::parse(read_text(file));
        INFO(schema().errors(config));
        CHECK(schema().errors(config).empty());
        CHECK_FALSE(code_errors(file).empty());
    }
}

TEST_CASE("schema agreement: the shipped config is valid for both") {
    const fs::path file = kSource / "config/weftd.json";
    CHECK(schema().errors(nlohmann::json::parse(read_text(file))).empty());
    CHECK(code_errors(file).empty());
}

TEST_CASE("schema agreement: the runtime section's ranges are the runtime's own limits") {
    namespace limits = weft::limits;
    const auto document = nlohmann::json::parse(read_text(kSource / "config/weftd.schema.json"));
    const auto& runtime = document.at("/properties/runtime/properties"_json_pointer);
    const auto check = [&](const char* key, std::int64_t max, std::int64_t min = 1) {
        INFO(key);
        CHECK(runtime.at(key).at("minimum").get<std::int64_t>() == min);
        CHECK(runtime.at(key).at("maximum").get<std::int64_t>() == max);
    };
    check("worker_threads", limits::kMaxWorkerThreads);
    check("max_blocking_threads", limits::kMaxBlockingThreads);
    check("thread_keep_alive_ms", limits::kMaxThreadKeepAlive.count());
    check("global_queue_interval", limits::kMaxQueueInterval);
    check("event_interval", limits::kMaxQueueInterval);
    check("budget", limits::kMaxBudget);
    check("long_poll_threshold_ms", limits::kMaxLongPollThreshold.count(), 0);
}
