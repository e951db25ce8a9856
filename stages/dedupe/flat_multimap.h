// A compact open-addressing multimap from an integer key to a 32-bit value, for
// the dedupe index's tables (8 to 16 bytes a slot, no per-entry allocation).
//
// Linear probing; erase shifts later entries back (no tombstones), so lookups
// stay short after millions of evictions. The value 0xffffffff marks an empty
// slot and is never stored. Not thread-safe: the owner guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ingestd::dedupe {

template <typename Key>
class FlatMultiMap {
 public:
  static constexpr uint32_t kEmpty = 0xffffffffu;

  FlatMultiMap() { slots_.resize(16); }

  void Insert(Key key, uint32_t value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    size_t i = Home(key);
    while (slots_[i].value != kEmpty) i = (i + 1) & Mask();
    slots_[i] = Slot{key, value};
    ++size_;
  }

  // Inserts unless `cap` values are stored under key already (a key shared by
  // many articles, such as a stock phrase, would make long probe runs and
  // useless candidates). Returns whether it inserted.
  bool InsertCapped(Key key, uint32_t value, size_t cap) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    size_t i = Home(key);
    size_t same = 0;
    for (; slots_[i].value != kEmpty; i = (i + 1) & Mask()) {
      if (slots_[i].key == key && ++same >= cap) return false;
    }
    slots_[i] = Slot{key, value};
    ++size_;
    return true;
  }

  // Calls fn(value) for every value stored under key.
  template <typename Fn>
  void ForEach(Key key, Fn&& fn) const {
    for (size_t i = Home(key); slots_[i].value != kEmpty; i = (i + 1) & Mask()) {
      if (slots_[i].key == key) fn(slots_[i].value);
    }
  }

  // Removes one (key, value) pair; returns false when absent.
  bool Erase(Key key, uint32_t value) {
    size_t i = Home(key);
    for (; slots_[i].value != kEmpty; i = (i + 1) & Mask()) {
      if (slots_[i].key == key && slots_[i].value == value) break;
    }
    if (slots_[i].value == kEmpty) return false;
    // Backward-shift deletion: move up every later entry of the run whose home
    // does not lie cyclically in (i, j].
    size_t j = i;
    for (;;) {
      j = (j + 1) & Mask();
      if (slots_[j].value == kEmpty) break;
      const size_t k = Home(slots_[j].key);
      const bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i].value = kEmpty;
    --size_;
    return true;
  }

  // Replaces the value of the pair (key, old_value).
  bool Replace(Key key, uint32_t old_value, uint32_t new_value) {
    for (size_t i = Home(key); slots_[i].value != kEmpty; i = (i + 1) & Mask()) {
      if (slots_[i].key == key && slots_[i].value == old_value) {
        slots_[i].value = new_value;
        return true;
      }
    }
    return false;
  }

  [[nodiscard]] size_t size() const { return size_; }
  [[nodiscard]] size_t Bytes() const { return slots_.capacity() * sizeof(Slot); }
  void Clear() {
    slots_.assign(16, Slot{});
    size_ = 0;
  }

 private:
  struct Slot {
    Key key{};
    uint32_t value = kEmpty;
  };

  size_t Mask() const { return slots_.size() - 1; }
  size_t Home(Key key) const {
    uint64_t x = static_cast<uint64_t>(key) * 0x9e3779b97f4a7c15ULL;
    return static_cast<size_t>(x >> 32) & Mask();
  }

  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    size_ = 0;
    for (const Slot& s : old) {
      if (s.value != kEmpty) Insert(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace ingestd::dedupe
