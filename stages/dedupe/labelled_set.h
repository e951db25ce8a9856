// The labelled evaluation set for the dedupe stage: a deterministic generator of
// articles in ten languages with their true dedupe labels, and a scorer that runs
// them through the real chain (normalize, dedupe) in arrival order.
//
// Texts are synthesized from small word lists and syllables per language (no
// scraped text). Positives: exact copies, template-wrapped copies, truncated
// copies ("Click here to read the rest"), edited copies, excerpts, and exact
// copies of wrapped copies. Same-story rewrites (for story_id) with their own hard
// negatives (another story on the same topic, another story in the same
// template). Hard negatives: fresh articles in an already seen
// template, articles quoting one paragraph of an earlier one, digests that hold
// an earlier article plus as much new text or more, articles sharing 40-67% with
// an earlier one, and new revisions at the same URL.
//
// Used by tests/stages/dedupe/labelled_set_test.cc (small set, asserted
// thresholds) and bench/dedupe_labelled_set.cc (the full set, reported figures).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/dedupe_config.h"

namespace ingestd::dedupe::eval {

enum class Kind {
  kOriginal,
  kExactCopy,
  kWrapped,
  kTruncated,
  kEdited,
  kExcerpt,
  kCopyOfCopy,
  kSameTemplate,
  kSharedQuote,
  kDigest,
  kPartialOverlap,
  kRevision,
  // Story links (never duplicates): a story's first article, its rewrites (same
  // names and numbers, other words, little shared text), and hard negatives: a
  // different story on the same topic the same day (shares the topic's names and
  // a number), a different story in the same site template as a rewrite.
  kStoryLead,
  kStoryRewrite,
  kStorySameTopic,
  kStorySameTemplate,
};
[[nodiscard]] const char* KindName(Kind kind);

struct LabelledArticle {
  std::string id;
  std::string url;
  std::string title;
  std::string text;
  std::string language;
  Kind kind = Kind::kOriginal;
  bool duplicate = false;    // the label: exact or near
  std::string duplicate_of;  // the group's earliest article, when duplicate
  std::string revision_of;   // for kRevision
  // The story it tells, as the id of the story's first article: its original's for
  // copies and revisions, the lead's for rewrites, its own otherwise.
  std::string story;
  // Digests and partial overlaps tell their original's story and more: whether
  // they share its story id is counted apart, not scored (story = the original).
  bool story_scored = true;
};

struct SetOptions {
  uint64_t seed = 1;
  int originals = 300;  // spread over the languages; about 3x as many articles in all
};

[[nodiscard]] std::vector<LabelledArticle> MakeLabelledSet(const SetOptions& options);
[[nodiscard]] const std::vector<std::string>& Languages();

struct Counts {
  int64_t articles = 0;
  int64_t flagged = 0;  // predicted exact or near
};

struct Score {
  int64_t true_positives = 0;
  int64_t false_positives = 0;
  int64_t false_negatives = 0;
  int64_t true_negatives = 0;
  int64_t wrong_target = 0;      // flagged duplicate of another group than labelled
  int64_t revisions_linked = 0;  // revisions with the right revision_of
  int64_t revisions = 0;
  std::map<std::string, Counts> by_kind;
  std::map<std::string, Counts> positives_by_language;
  std::map<std::string, Counts> negatives_by_language;
  // Story links, over pairs of articles: pairs given one story id that tell one
  // story (true), pairs given one story id in all, pairs that tell one story.
  int64_t story_true_pairs = 0;
  int64_t story_predicted_pairs = 0;
  int64_t story_labelled_pairs = 0;
  // The same over the story articles alone (leads, rewrites and their negatives):
  // what the story lookup does, without the copies the dedupe groups link anyway.
  int64_t rewrite_true_pairs = 0;
  int64_t rewrite_predicted_pairs = 0;
  int64_t rewrite_labelled_pairs = 0;
  std::map<std::string, Counts> story_by_kind;  // flagged: story id of the labelled story
  double seconds = 0;                           // time in the dedupe stage
  std::vector<std::string> mistakes;            // the first few, for reading

  [[nodiscard]] double Precision() const;
  [[nodiscard]] double Recall() const;
  [[nodiscard]] double StoryPrecision() const;
  [[nodiscard]] double StoryRecall() const;
  [[nodiscard]] double RewritePrecision() const;
  [[nodiscard]] double RewriteRecall() const;
  [[nodiscard]] std::string Report() const;  // a Markdown table
};

// Runs the set through normalize + dedupe (one thread, a manual clock moving one
// minute per article).
[[nodiscard]] Score ScoreSet(const std::vector<LabelledArticle>& set, const DedupeConfig& config);

}  // namespace ingestd::dedupe::eval
