#include "daemon/envelope.h"

#include <simdjson.h>

#include "stages/text/utf8.h"

namespace ingestd {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

const char* TypeName(element_type t) {
  switch (t) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "a number";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

bool IsKnownField(std::string_view k) {
  return k == "id" || k == "url" || k == "title" || k == "text" || k == "html" || k == "source" || k == "language" ||
         k == "published_at" || k == "fetched_at" || k == "meta";
}

// Measures nesting depth of the document, so "too deep" is its own reason rather
// than a parser error. simdjson's own max_depth check reports the same condition
// as DEPTH_ERROR; this gives the configured limit without re-allocating parsers.
size_t Depth(element e, size_t limit) {
  if (limit == 0) return 1;
  size_t best = 0;
  simdjson::dom::array array;
  simdjson::dom::object object;
  if (e.get(array) == simdjson::SUCCESS) {
    for (element c : array) best = std::max(best, Depth(c, limit - 1));
    return best + 1;
  }
  if (e.get(object) == simdjson::SUCCESS) {
    for (auto field : object) best = std::max(best, Depth(field.value, limit - 1));
    return best + 1;
  }
  return 0;
}

// Where the first JSON value of `s` ends (after its closing bracket), or npos when it
// is not an object or array, or never closes: to tell content after a complete value
// ("{...},", "{...} 5") from a value cut short. Brackets inside strings do not count.
size_t EndOfFirstValue(std::string_view s) {
  size_t i = s.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos || (s[i] != '{' && s[i] != '[')) return std::string_view::npos;
  size_t depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// simdjson's messages name its own stages ("Problem while parsing a string"); these say
// what in the record can cause them.
std::string MalformedMessage(simdjson::error_code err) {
  std::string why;
  if (err == simdjson::STRING_ERROR) {
    why = "a string has an invalid escape (a \\u escape of a lone surrogate, D800-DFFF, or an unknown one): ";
  } else if (err == simdjson::NUMBER_ERROR) {
    why = "a number is malformed or out of range (an integer beyond 64 bits, a float beyond a double): ";
  }
  return "malformed JSON: " + why + simdjson::error_message(err);
}

}  // namespace

DecodeResult DecodeEnvelope(std::string_view bytes, const InputConfig& config) {
  if (bytes.size() > static_cast<size_t>(config.max_record_bytes)) {
    return DecodeError{"too_large", "record is " + std::to_string(bytes.size()) + " bytes, limit is " +
                                        std::to_string(config.max_record_bytes) + " (input.max_record_bytes)"};
  }
  // RFC 8259 lets a parser ignore a byte order mark; producers on Windows write one.
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (bytes.empty()) return DecodeError{"invalid_json", "empty record"};

  // One parser per thread: simdjson parsers reuse their buffers.
  thread_local simdjson::dom::parser parser;
  std::string repaired;
  uint32_t replacements = 0;
  std::string_view input = bytes;
  if (!simdjson::validate_utf8(bytes.data(), bytes.size())) {
    if (!config.repair_invalid_utf8) {
      return DecodeError{"invalid_utf8", "record is not valid UTF-8 (input.invalid_utf8: reject)"};
    }
    replacements = static_cast<uint32_t>(RepairUtf8(bytes, repaired));
    input = repaired;
  }
  simdjson::padded_string padded(input);
  element root;
  if (auto err = parser.parse(padded).get(root); err) {
    if (err == simdjson::DEPTH_ERROR) {
      return DecodeError{"too_deep", "JSON nesting exceeds the parser's limit"};
    }
    // Binary payloads (a producer writing the wrong serializer) are a different
    // operational problem from a scraper emitting broken JSON: say which.
    if (replacements > 0 || bytes.find('\0') != std::string_view::npos) {
      return DecodeError{"binary", std::string("record is binary, not JSON text: ") + simdjson::error_message(err)};
    }
    const size_t end = EndOfFirstValue(input);
    if (const size_t extra = end == std::string_view::npos ? end : input.find_first_not_of(" \t\r\n", end);
        extra != std::string_view::npos) {
      return DecodeError{"invalid_json",
                         "malformed JSON: content after the JSON value, at byte " + std::to_string(extra)};
    }
    const size_t last = input.find_last_not_of(" \t\r\n");
    const bool cut_short = last != std::string_view::npos && input.front() == '{' && input[last] != '}';
    if (err == simdjson::UNCLOSED_STRING || err == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || cut_short) {
      return DecodeError{"truncated_json", std::string("JSON ends early: ") + simdjson::error_message(err)};
    }
    return DecodeError{"invalid_json", MalformedMessage(err)};
  }
  if (root.type() != element_type::OBJECT) {
    return DecodeError{"not_an_object", std::string("expected a JSON object, got ") + TypeName(root.type())};
  }
  if (Depth(root, static_cast<size_t>(config.max_json_depth) + 1) > static_cast<size_t>(config.max_json_depth)) {
    return DecodeError{"too_deep", "JSON nesting deeper than " + std::to_string(config.max_json_depth) +
                                       " levels (input.max_json_depth)"};
  }

  Article a;
  a.utf8_replacements = replacements;
  std::vector<RawField> extras;
  simdjson::dom::object root_object;
  if (root.get(root_object) != simdjson::SUCCESS) {
    return DecodeError{"not_an_object", std::string("expected a JSON object, got ") + TypeName(root.type())};
  }
  for (auto field : root_object) {
    const std::string_view key = field.key;
    const element v = field.value;
    if (!IsKnownField(key)) {
      extras.emplace_back(std::string(key), simdjson::minify(v));
      continue;
    }
    if (key == "meta") {
      if (v.type() == element_type::NULL_VALUE) continue;
      simdjson::dom::object meta;
      if (v.get(meta) != simdjson::SUCCESS) {
        return DecodeError{"wrong_type", std::string("field \"meta\" must be an object, got ") + TypeName(v.type())};
      }
      for (auto m : meta) {
        a.meta.emplace_back(std::string(m.key), simdjson::minify(m.value));
      }
      continue;
    }
    if (v.type() == element_type::NULL_VALUE) continue;  // null means absent
    if (key == "id" && (v.type() == element_type::INT64 || v.type() == element_type::UINT64)) {
      a.id = simdjson::minify(v);  // numeric ids are common in channel scrapers
      continue;
    }
    if (v.type() != element_type::STRING) {
      return DecodeError{"wrong_type",
                         "field \"" + std::string(key) + "\" must be a string, got " + TypeName(v.type())};
    }
    std::string_view sv;
    if (v.get(sv) != simdjson::SUCCESS) {
      return DecodeError{"wrong_type",
                         "field \"" + std::string(key) + "\" must be a string, got " + TypeName(v.type())};
    }
    std::string s(sv);
    if (key == "id")
      a.id = std::move(s);
    else if (key == "url")
      a.url = std::move(s);
    else if (key == "title")
      a.title = std::move(s);
    else if (key == "text")
      a.text = std::move(s);
    else if (key == "html")
      a.html = std::move(s);
    else if (key == "source")
      a.source = std::move(s);
    else if (key == "language")
      a.language_hint = std::move(s);
    else if (key == "published_at")
      a.published_at = std::move(s);
    else if (key == "fetched_at")
      a.fetched_at = std::move(s);
  }
  for (auto& e : extras) {
    bool shadowed = false;
    for (const auto& m : a.meta) shadowed |= (m.first == e.first);
    if (!shadowed) a.meta.push_back(std::move(e));
  }
  if (a.url.empty()) return DecodeError{"missing_field", "field \"url\" is required"};
  auto blank = [](const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; };
  if (blank(a.text) && blank(a.html)) {
    return DecodeError{"empty_body", "neither \"text\" nor \"html\" has content"};
  }
  return a;
}

}  // namespace ingestd
