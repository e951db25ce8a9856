#include "stages/normalize/digest_match.h"

#include <algorithm>
#include <string_view>

namespace ingestd {

// Keys sorted (by key, then index) put every key that starts with K in one run
// right after K's own place. So, taking the keys from the last to the first and
// marking each in a min segment tree over sorted places, the answer for K is the
// smallest index marked in its run: n log n, where comparing each key with every
// later one was n^2 (a page of 150,000 numbered lines took 40 s).
std::vector<size_t> FirstLaterExtensions(const std::vector<std::string>& keys, size_t min_bytes, uint64_t* operations) {
  const size_t n = keys.size();
  std::vector<size_t> result(n, SIZE_MAX);
  uint64_t ops = 0;
  // Only keys of min_bytes or more take part: one that starts with such a key is as long.
  std::vector<uint32_t> order;
  for (size_t i = 0; i < n; ++i) {
    if (keys[i].size() >= min_bytes) order.push_back(static_cast<uint32_t>(i));
  }
  const size_t m = order.size();
  if (m >= 2) {
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      ++ops;
      const int c = keys[a].compare(keys[b]);
      return c != 0 ? c < 0 : a < b;
    });
    std::vector<uint32_t> place(n);
    for (size_t p = 0; p < m; ++p) place[order[p]] = static_cast<uint32_t>(p);
    // tree[m + p]: the index at sorted place p once marked; inner nodes: the minimum below.
    std::vector<uint32_t> tree(2 * m, UINT32_MAX);
    for (size_t i = n; i-- > 0;) {
      if (keys[i].size() < min_bytes) continue;
      const size_t p = place[i];
      const std::string_view key = keys[i];
      // The run of keys starting with this one; equal keys with a smaller index sort before p.
      const auto end =
          std::partition_point(order.begin() + static_cast<std::ptrdiff_t>(p) + 1, order.end(), [&](uint32_t j) {
            ++ops;
            return std::string_view(keys[j]).starts_with(key);
          });
      uint32_t best = UINT32_MAX;
      for (size_t l = p + 1 + m, r = static_cast<size_t>(end - order.begin()) + m; l < r; l >>= 1, r >>= 1) {
        ++ops;
        if (l & 1) best = std::min(best, tree[l++]);
        if (r & 1) best = std::min(best, tree[--r]);
      }
      if (best != UINT32_MAX) result[i] = best;
      // Indices are marked in decreasing order: the new one is the minimum of every node above it.
      for (size_t x = p + m; x > 0; x >>= 1) {
        ++ops;
        tree[x] = static_cast<uint32_t>(i);
      }
    }
  }
  if (operations != nullptr) *operations += ops;
  return result;
}

}  // namespace ingestd
