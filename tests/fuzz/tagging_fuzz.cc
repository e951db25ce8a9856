// The tagger, in two modes chosen by the first byte (seeds: corpus/tagging/):
//  - even ('T'): match an arbitrary (valid UTF-8) title and text against the default
//    taxonomy (countries included), with the folded views given (as after
//    normalize) or computed by the matcher;
//    The title ends at the first backslash that is followed by another
//    character (FuzzedDataProvider::ConsumeRandomLengthString); the text is the rest.
//  - odd: load a taxonomy from arbitrary YAML text (ParseTaxonomy), compile it,
//    and match a text made of its own aliases; bit 1 marks the file as generated
//    ('Y' hand-written, '[' generated).
// Oracles: tags name entities of the taxonomy; counts, mentions and keywords are
// consistent; every mention's offsets lie on character boundaries of its field
// and its text is those bytes; entity mentions never overlap (the longest wins);
// title mentions come first; both folding paths give the same tags. A bad
// taxonomy is a ConfigError, never another exception or a crash.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/reader.h"
#include "config/tagging_config.h"
#include "daemon/envelope.h"
#include "stages/tagging/compiled_taxonomy.h"
#include "stages/tagging/tagging_stage.h"
#include "stages/text/fold.h"
#include "stages/text/utf8.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ingestd;

constexpr size_t kMaxMentions = 8;

std::string Utf8(std::string_view s) {
  std::string out;
  RepairUtf8(s, out);
  return out;
}

bool IsBoundary(const std::string& s, uint32_t pos) {
  return pos == s.size() || (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) != 0x80);
}

void CheckTags(const CompiledTaxonomy& taxonomy, const Article& article, const std::vector<Tag>& tags) {
  std::map<std::string, const CompiledTaxonomy::Entity*> by_id;
  for (const auto& e : taxonomy.entities()) by_id.emplace(e.id, &e);
  std::map<std::string, int> seen;
  bool title_tags_done = false;
  // Entity mentions per field, to check that none overlap.
  std::vector<std::pair<uint32_t, uint32_t>> entity_spans[2];
  for (const Tag& tag : tags) {
    INGESTD_FUZZ_CHECK(++seen[tag.id] == 1);
    const auto it = by_id.find(tag.id);
    if (it == by_id.end()) std::fprintf(stderr, "unknown tag id %s (%zu entities)\n", tag.id.c_str(), by_id.size());
    INGESTD_FUZZ_CHECK(it != by_id.end());
    INGESTD_FUZZ_CHECK(tag.type == it->second->type && tag.name == it->second->name);
    INGESTD_FUZZ_CHECK(tag.count >= 1 && tag.count >= tag.mentions.size());
    INGESTD_FUZZ_CHECK(!tag.mentions.empty() && tag.mentions.size() <= kMaxMentions);
    INGESTD_FUZZ_CHECK(it->second->topic == !tag.keywords.empty());
    const bool in_title = tag.mentions.front().field == Mention::Field::kTitle;
    if (!in_title) title_tags_done = true;
    INGESTD_FUZZ_CHECK(!(in_title && title_tags_done));  // tags named in the title come first
    for (size_t i = 0; i < tag.mentions.size(); ++i) {
      const Mention& m = tag.mentions[i];
      const std::string& src = m.field == Mention::Field::kTitle ? article.title : article.text;
      INGESTD_FUZZ_CHECK(m.start < m.end && m.end <= src.size());
      INGESTD_FUZZ_CHECK(IsBoundary(src, m.start) && IsBoundary(src, m.end));
      INGESTD_FUZZ_CHECK(m.text == src.substr(m.start, m.end - m.start));
      if (i > 0) {  // reading order: title first, then by start
        const Mention& prev = tag.mentions[i - 1];
        INGESTD_FUZZ_CHECK(prev.field == m.field ? prev.start < m.start : prev.field == Mention::Field::kTitle);
      }
      if (!it->second->topic) entity_spans[m.field == Mention::Field::kTitle].emplace_back(m.start, m.end);
    }
  }
  for (auto& spans : entity_spans) {
    std::sort(spans.begin(), spans.end());
    for (size_t i = 1; i < spans.size(); ++i) INGESTD_FUZZ_CHECK(spans[i - 1].second <= spans[i].first);
  }
}

// Matches with the folded views given and computed by the matcher: same tags.
void MatchBothWays(const CompiledTaxonomy& taxonomy, Article article) {
  const std::vector<Tag> self_folded = taxonomy.Match(article, kMaxMentions);
  CheckTags(taxonomy, article, self_folded);
  article.folded_title = Fold(article.title);
  article.folded_text = Fold(article.text);
  const std::vector<Tag> given = taxonomy.Match(article, kMaxMentions);
  INGESTD_FUZZ_CHECK(given.size() == self_folded.size());
  for (size_t i = 0; i < given.size(); ++i) {
    INGESTD_FUZZ_CHECK(given[i].id == self_folded[i].id && given[i].count == self_folded[i].count);
  }
}

const CompiledTaxonomy& DefaultTaxonomy() {
  static const auto* taxonomy = new std::shared_ptr<const CompiledTaxonomy>(
      CompileTaxonomy(LoadTaxonomy(INGESTD_FUZZ_SOURCE_DIR "/config/taxonomy", DefaultGeneratedTaxonomyDir())));
  return **taxonomy;
}

void FuzzTaxonomy(std::string yaml, bool generated) {
  // yaml-cpp's recursive parser overflows the stack on deeply nested input;
  // taxonomy files are trusted, so keep inputs short enough not to report that.
  if (yaml.size() > 4096) return;
  std::shared_ptr<const CompiledTaxonomy> taxonomy;
  Taxonomy parsed;
  try {
    parsed = ParseTaxonomy({{"fuzz.yaml", yaml, generated}});
    taxonomy = CompileTaxonomy(parsed);
  } catch (const ConfigError&) {
    return;
  }
  INGESTD_FUZZ_CHECK(!taxonomy->entities().empty());
  Article article;
  article.title = parsed.entities.front().name;
  for (const auto& e : parsed.entities) {
    for (const auto& a : e.aliases) article.text += a.text + ". ";
  }
  article.title = Utf8(article.title);
  article.text = Utf8(article.text);
  MatchBothWays(*taxonomy, article);
}

}  // namespace

// Loading and compiling the default taxonomy takes ~10 s under ASan: done here,
// before the per-input timeout starts counting.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)DefaultTaxonomy();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  if (mode & 1) {
    FuzzTaxonomy(std::string(reinterpret_cast<const char*>(data) + 1, size - 1), (mode & 2) != 0);
    return 0;
  }
  FuzzedDataProvider in(data + 1, size - 1);
  Article article;
  article.title = Utf8(in.ConsumeRandomLengthString(256));
  article.text = Utf8(in.ConsumeRemainingBytesAsString());
  MatchBothWays(DefaultTaxonomy(), article);
  return 0;
}
