// Decodes a scraper's message (one JSON object) into an Article.
//
// The envelope: id (optional), url, title, text and/or html, source, language
// (optional hint), published_at, fetched_at, meta (any object, passed through).
// Required: url, and a non-empty text or html. Unknown top-level fields are kept:
// they are added to `meta` under their own names (a `meta` member of the same name
// wins), so nothing a scraper sends is lost. See docs/event-schema.md.
//
// Errors are values: a DecodeError with a fixed reason code (a metric label) and
// a message for people. Thread-safe: each call uses its own parser, or the
// caller's thread-local one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.h"
#include "stages/article.h"

namespace ingestd {

struct DecodeError {
  // invalid_json, truncated_json, binary, not_an_object, missing_field, wrong_type,
  // empty_body, too_large, too_deep, invalid_utf8
  std::string reason;
  std::string message;
};

using DecodeResult = std::variant<Article, DecodeError>;

[[nodiscard]] DecodeResult DecodeEnvelope(std::string_view bytes, const InputConfig& config);

}  // namespace ingestd
