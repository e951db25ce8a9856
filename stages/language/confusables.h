// Second opinion for languages that CLD2 confuses with each other.
//
// A confusable group is a set of languages written in one script that CLD2 mixes
// up on short or atypical text (Persian/Dari/Pashto/Urdu/Sorani/Uyghur/Arabic;
// Russian/Ukrainian/Belarusian/Bulgarian/Serbian/Kazakh/Kyrgyz/Tajik/Tatar;
// Indonesian/Malay; Spanish/Portuguese; Kurdish/Turkish/Azerbaijani in Latin).
// Within a group the decision takes two steps:
//   1. letters: each language has letters it never uses (Persian has no ټ ښ ڼ,
//      Russian no і ә қ, Kyrgyz no ә ғ қ ұ һ, Spanish no ã ç...). A language whose
//      forbidden letters appear (beyond a 1% noise allowance) drops out.
//   2. n-grams: among the survivors, a character 1-4-gram naive Bayes model trained
//      on the evaluation set's training split (group_model_data.cc) decides.
//
// Stateless and thread-safe: the tables are built once on first use.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ingestd::language {

struct GroupDecision {
  std::string code;         // BCP 47, a member of the group
  double margin = 0.0;      // mean log-odds per n-gram of the winner over the runner-up (inf if alone)
  bool by_letters = false;  // letters alone left one language
};

// The group `code` belongs to, or an empty span.
[[nodiscard]] std::span<const std::string_view> GroupOf(std::string_view code);

// Decides among the group of `code` (a BCP 47 code, usually CLD2's answer) using
// at most the first `max_bytes` of `text`. When `code` is in no group, the text
// itself may pull it into one: Arabic-script text CLD2 gave to a language outside
// the Arabic-script group (Sindhi, Balochi... on short text), or Latin text written
// only with the Kurmanji alphabet and its ê î û (CLD2 rarely answers "ku" itself),
// or Cyrillic text on which CLD2 found nothing (`code` empty). With `short_text`,
// mostly-Latin text is decided among every Latin language with an n-gram table and
// mostly-Cyrillic text among the Cyrillic group, whatever CLD2 said, except Latin text
// that CLD2 gave to a language of the Cyrillic or Arabic-script group (Tatar, Uyghur
// or Kazakh in Latin letters): the Latin tables cannot represent those.
// nullopt when no group applies.
[[nodiscard]] std::optional<GroupDecision> ResolveConfusable(std::string_view code, std::string_view text,
                                                             size_t max_bytes = 2048, bool short_text = false);

}  // namespace ingestd::language
