// The confusable-group n-gram tables (generated into group_model_data.cc).
#pragma once

#include <string_view>
#include <vector>

namespace ingestd::language {

struct GroupModelGram {
  std::string_view gram;  // 1 to 4 code points, words padded with spaces
  float log_prob;
};

struct GroupModelLanguage {
  std::string_view code;  // BCP 47
  float unseen_log_prob;  // for grams not in the table
  std::vector<GroupModelGram> grams;
};

// Built once, on first use; immutable after.
[[nodiscard]] const std::vector<GroupModelLanguage>& GroupModelTables();

}  // namespace ingestd::language
