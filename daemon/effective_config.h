// GET /config: the configuration the daemon really runs with (file, environment
// substitutions, --set overrides and defaults applied), as JSON, with secrets
// redacted. Secrets live in the librdkafka pass-through maps (kafka.consumer,
// kafka.producer): a key naming a password, secret, token, JAAS config, private key
// or OAuth config has its value replaced by "[redacted]".
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"

namespace ingestd {

inline constexpr const char* kRedacted = "[redacted]";

// Pretty-printed JSON object, one member per config section.
[[nodiscard]] std::string EffectiveConfigJson(const Config& config);

}  // namespace ingestd
