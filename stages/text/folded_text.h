// A folded view of a text for matching, with a map back to the original bytes.
//
// Folding (see Fold() in fold.h) applies NFKC case folding, removes diacritics,
// unifies script variants and punctuation. Later stages match on `text` and report
// offsets in the original by `ToOriginal()`. Immutable once built.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ingestd {

// An allocator whose resize() leaves new elements uninitialized (default- rather
// than value-initialized). Fold() sizes `origin` for the worst case and writes every
// element it keeps: zeroing it first cost 2% of the whole stage chain
// (bench/processor_bench under callgrind). std::vector has no such option before
// C++23's resize_and_overwrite, which is for strings only.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

struct FoldedText {
  std::string text;
  // origin[i] is the byte offset in the original string of the character that
  // produced folded byte i; origin[text.size()] is the original's size.
  std::vector<uint32_t, DefaultInitAllocator<uint32_t>> origin;

  [[nodiscard]] bool empty() const { return text.empty(); }
  // Maps a folded byte range to the original byte range [start, end).
  [[nodiscard]] uint32_t ToOriginalStart(size_t folded_pos) const { return origin[folded_pos]; }
  [[nodiscard]] uint32_t ToOriginalEnd(size_t folded_end) const;
};

}  // namespace ingestd
