// The whole record path: Processor::Process (decode -> the stages of config/local.yaml ->
// encode) over arbitrary bytes. Oracles: exactly one output; dead letters carry a
// stage and a snake_case reason; events are valid UTF-8 JSON objects with a key.
// The stages keep their state across inputs, as they do in the daemon.
#include <prometheus/registry.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "config/config.h"
#include "daemon/processor.h"
#include "stages/registry.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// The whole stage chain of the project's local config.
std::unique_ptr<ingestd::Processor> MakeProcessor() {
  using namespace ingestd;
  static prometheus::Registry registry;
  static PipelineProbe probe(registry);
  static SystemClock clock;
  const std::string file = std::string(INGESTD_FUZZ_SOURCE_DIR) + "/config/local.yaml";
  auto config = LoadConfig(file, {"input.max_record_bytes=1048576"});
  return std::make_unique<Processor>(config, BuildStages(*config, StageContext{&registry, &clock}), probe);
}

}  // namespace

std::unique_ptr<ingestd::Processor> processor;

// Building the stages (the tagger compiles its Hyperscan database) takes seconds
// under ASan: do it here, outside libFuzzer's per-input timeout.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  processor = MakeProcessor();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ingestd;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const InputPosition position{"articles.raw", 0, 42};
  Processed out = processor->Process(bytes, &position);
  switch (out.output) {
    case Output::kDeadLetter:
      INGESTD_FUZZ_CHECK(!out.dead_letter.stage.empty());
      INGESTD_FUZZ_CHECK(fuzz::IsSnakeCase(out.dead_letter.reason));
      INGESTD_FUZZ_CHECK(out.value.empty());
      fuzz::CheckJsonObject(EncodeDeadLetterJson(out.dead_letter, bytes, 1, &position));
      break;
    case Output::kEnriched:
    case Output::kDuplicates:
      INGESTD_FUZZ_CHECK(!out.key.empty());
      fuzz::CheckJsonObject(out.value);
      break;
  }
  return 0;
}
