// Encodes an Article as an `ingestd.article.v1` event (docs/event-schema.md), and
// a dead letter for files (replay). RapidJSON's Writer does the escaping; fields a
// stage has not filled are left out.
#pragma once

#include <string>
#include <string_view>

#include "stages/article.h"

namespace ingestd {

inline constexpr std::string_view kEventSchema = "ingestd.article.v1";

[[nodiscard]] std::string EncodeEvent(const Article& article);

struct DeadLetterInfo {
  std::string stage;
  std::string reason;
  std::string message;
};

// {"stage","reason","message","line","raw"} or "raw_base64" when the input is not
// valid UTF-8; plus "input" {topic,partition,offset} when known.
[[nodiscard]] std::string EncodeDeadLetterJson(const DeadLetterInfo& info, std::string_view raw, int64_t line,
                                               const InputPosition* position);

// Current UTC time as RFC 3339 with milliseconds ("2026-11-21T05:00:00.123Z").
[[nodiscard]] std::string NowRfc3339();

// Writes the characters of `s` as a JSON string's, without the quotes, at `out` (room
// for 6 * s.size() bytes) and returns the end: the bytes RapidJSON's Writer::String
// writes between its quotes (\" \\ \b \f \n \r \t, other control characters as \u00XX,
// the rest as it is).
char* WriteJsonChars(std::string_view s, char* out);

// How WriteJsonChars copies the bytes that need no escape: SSE2 sixteen at a time
// (every x86-64), SWAR eight at a time elsewhere. Both are compiled where SSE2 is, so
// the tests run the SWAR path on x86-64 too.
enum class JsonCharBlocks { kSse2, kSwar };
#if defined(__SSE2__)
inline constexpr JsonCharBlocks kJsonCharBlocks = JsonCharBlocks::kSse2;
#else
inline constexpr JsonCharBlocks kJsonCharBlocks = JsonCharBlocks::kSwar;
#endif
template <JsonCharBlocks kBlocks>
char* WriteJsonCharsWith(std::string_view s, char* out);

}  // namespace ingestd
