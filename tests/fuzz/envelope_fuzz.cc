// DecodeEnvelope over arbitrary bytes, in both invalid-UTF-8 modes. Oracles: a
// decode error has a snake_case reason; a decoded article encodes to a valid
// UTF-8 JSON object; RepairUtf8 always yields valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/envelope.h"
#include "daemon/event_writer.h"
#include "stages/text/utf8.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ingestd;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  std::string repaired;
  RepairUtf8(bytes, repaired);
  INGESTD_FUZZ_CHECK(simdjson::validate_utf8(repaired.data(), repaired.size()));

  for (bool repair : {true, false}) {
    InputConfig config;
    config.repair_invalid_utf8 = repair;
    config.max_record_bytes = 1 << 20;
    DecodeResult result = DecodeEnvelope(bytes, config);
    if (auto* error = std::get_if<DecodeError>(&result)) {
      INGESTD_FUZZ_CHECK(fuzz::IsSnakeCase(error->reason));
      continue;
    }
    Article& article = std::get<Article>(result);
    INGESTD_FUZZ_CHECK(!article.url.empty());
    EnsureIdentity(article);
    INGESTD_FUZZ_CHECK(!article.id.empty());
    fuzz::CheckJsonObject(EncodeEvent(article));
  }
  return 0;
}
