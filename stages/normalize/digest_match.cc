#include "stages/normalize/digest_match.h"

namespace ingestd {

std::vector<size_t> FirstLaterExtensions(const std::vector<std::string>& keys, size_t min_bytes, uint64_t* operations) {
  const size_t n = keys.size();
  std::vector<size_t> result(n, SIZE_MAX);
  uint64_t ops = 0;
  for (size_t i = 0; i < n; ++i) {
    if (keys[i].size() < min_bytes) continue;
    for (size_t j = i + 1; j < n; ++j) {
      ++ops;
      if (keys[j].size() >= keys[i].size() && keys[j].compare(0, keys[i].size(), keys[i]) == 0) {
        result[i] = j;
        break;
      }
    }
  }
  if (operations != nullptr) *operations += ops;
  return result;
}

}  // namespace ingestd
