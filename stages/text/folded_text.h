// A folded view of a text for matching, with a map back to the original bytes.
//
// Folding (see Fold() in fold.h) applies NFKC case folding, removes diacritics,
// unifies script variants and punctuation. Later stages match on `text` and report
// offsets in the original by `ToOriginal()`. Immutable once built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ingestd {

struct FoldedText {
  std::string text;
  // origin[i] is the byte offset in the original string of the character that
  // produced folded byte i; origin[text.size()] is the original's size.
  std::vector<uint32_t> origin;

  [[nodiscard]] bool empty() const { return text.empty(); }
  // Maps a folded byte range to the original byte range [start, end).
  [[nodiscard]] uint32_t ToOriginalStart(size_t folded_pos) const { return origin[folded_pos]; }
  [[nodiscard]] uint32_t ToOriginalEnd(size_t folded_end) const;
};

}  // namespace ingestd
