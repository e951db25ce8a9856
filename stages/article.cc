#include "stages/article.h"

#include <xxhash.h>

#include <cstdio>

namespace ingestd {
namespace {

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return std::string(buf, 16);
}

}  // namespace

std::string Hash128::Hex() const { return Hex64(high) + Hex64(low); }

Hash128 HashText(std::string_view text) {
  const XXH128_hash_t h = XXH3_128bits(text.data(), text.size());
  return Hash128{h.high64, h.low64};
}

const char* DedupeStatusName(DedupeStatus status) {
  switch (status) {
    case DedupeStatus::kUnique: return "unique";
    case DedupeStatus::kExact: return "exact";
    case DedupeStatus::kNear: return "near";
  }
  return "unique";
}

size_t Article::ByteSize() const {
  size_t n = sizeof(Article) + id.size() + url.size() + title.size() + text.size() + html.size() + source.size() +
             canonical_url.size() + folded_text.text.size() + folded_text.origin.size() * sizeof(uint32_t) +
             folded_title.text.size() + folded_title.origin.size() * sizeof(uint32_t);
  for (const auto& [k, v] : meta) n += k.size() + v.size();
  return n;
}

const std::string& IdentityUrl(const Article& article) {
  return article.canonical_url.empty() ? article.url : article.canonical_url;
}

void EnsureIdentity(Article& article) {
  if (!article.content_hash) article.content_hash = HashText(article.text);
  if (article.id.empty()) {
    // 64 bits keep collisions negligible at ten million ids (p ~ 3e-6) while the
    // prefix says where the id came from.
    if (const std::string& url = IdentityUrl(article); !url.empty()) {
      article.id = "u-" + Hex64(XXH3_64bits(url.data(), url.size()));
    } else {  // the envelope requires a url: only articles built without one (tests, benchmarks)
      article.id = "h-" + Hex64(article.content_hash->high);
    }
  }
}

}  // namespace ingestd
