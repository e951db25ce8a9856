// Headline-digest matching for PageCleaner (n log n): a digest entry is a line whose key
// (DigestKey: list marker stripped, lowercased, no spaces) starts a later line's
// key; that later line is the entry's article heading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ingestd {

// result[i] is the smallest j > i such that keys[j] starts with keys[i], for every
// keys[i] of at least min_bytes; SIZE_MAX when there is none or keys[i] is shorter.
// *operations (when given) is increased by the work done: key comparisons and
// search steps, for tests that check the cost grows like n log n, not n^2.
[[nodiscard]] std::vector<size_t> FirstLaterExtensions(const std::vector<std::string>& keys, size_t min_bytes,
                                                       uint64_t* operations = nullptr);

}  // namespace ingestd
