// The record that flows through the stage chain.
//
// Lifecycle: the runtime decodes one Article from an input message, hands it to
// each stage in order on a single worker thread, then encodes it. An Article is
// owned by exactly one thread at a time; stages never keep references to it.
//
// Fields a stage has not filled stay empty (std::optional / empty string) and are
// left out of the event: the schema never carries fake values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stages/text/folded_text.h"

namespace ingestd {

// 128-bit content hash (XXH3-128 of the normalized text).
struct Hash128 {
  uint64_t high = 0;
  uint64_t low = 0;
  friend bool operator==(const Hash128&, const Hash128&) = default;
  [[nodiscard]] std::string Hex() const;
};

[[nodiscard]] Hash128 HashText(std::string_view text);

struct InputPosition {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
};

enum class DedupeStatus { kUnique, kExact, kNear };
[[nodiscard]] const char* DedupeStatusName(DedupeStatus status);

struct DedupeResult {
  DedupeStatus status = DedupeStatus::kUnique;
  std::string duplicate_of;  // empty when unique
  double similarity = 0.0;   // share of this article's text covered by duplicate_of
  std::string story_id;
  std::string revision_of;   // same canonical URL seen before with other text
  bool redelivered = false;  // the same input record judged before (not written to events)
};

struct LanguageShare {
  std::string code;
  double percent = 0.0;
};

struct LanguageResult {
  std::string code;  // BCP 47
  double confidence = 0.0;
  bool reliable = false;
  std::vector<LanguageShare> others;
};

// Byte offsets into the event's `text` (field == kText) or `title` (kTitle).
struct Mention {
  enum class Field { kText, kTitle };
  Field field = Field::kText;
  uint32_t start = 0;
  uint32_t end = 0;
  std::string text;
};

struct Tag {
  std::string id;    // "org/iskp"
  std::string type;  // organization | person | country | place | topic
  std::string name;
  uint32_t count = 0;
  std::vector<Mention> mentions;
  std::vector<std::string> keywords;  // topic tags: the keywords that fired
};

struct BoilerplateReport {
  uint32_t lines_removed = 0;
  std::vector<std::string> removed;  // only with normalize.debug_removed_lines
};

struct Segment {
  uint32_t start = 0;  // byte offsets into text
  uint32_t end = 0;
  std::string title;
};

// A JSON value kept verbatim: key plus its minified JSON text.
using RawField = std::pair<std::string, std::string>;

struct Article {
  // From the envelope.
  std::string id;  // scraper's id, or derived by EnsureIdentity()
  std::string url;
  std::string title;
  std::string text;
  std::string html;
  std::string source;
  std::string language_hint;
  std::string published_at;
  std::string fetched_at;
  std::vector<RawField> meta;      // `meta` members, then unknown top-level fields
  uint32_t utf8_replacements = 0;  // invalid sequences repaired on decode

  // Filled by the runtime.
  std::optional<InputPosition> input;
  std::string processed_at;

  // Filled by stages.
  std::string canonical_url;
  std::optional<Hash128> content_hash;
  FoldedText folded_title;  // folded views for matching (see folded_text.h)
  FoldedText folded_text;
  std::optional<BoilerplateReport> boilerplate;
  std::optional<std::vector<Segment>> segments;
  std::optional<DedupeResult> dedupe;
  std::optional<LanguageResult> language;
  std::optional<std::vector<Tag>> tags;

  // Approximate memory held by the record, for in-flight byte bounds.
  [[nodiscard]] size_t ByteSize() const;
};

// The URL an article is known by: normalize's canonical_url, else the url as sent
// (a chain without normalize).
[[nodiscard]] const std::string& IdentityUrl(const Article& article);

// Fills content_hash and id when they are missing (the id from IdentityUrl, else from
// the content hash); canonical_url stays as normalize left it (absent without it).
// Idempotent; the runtime calls it after the chain, and stages that need an id
// (dedupe) call it before they use one.
void EnsureIdentity(Article& article);

}  // namespace ingestd
