// The confusable-group n-gram tables (generated into group_model_data.cc).
#pragma once

#include <string_view>
#include <vector>

namespace ingestd::language {

struct GroupModelLanguage {
  std::string_view code;  // BCP 47
  float unseen_log_prob;  // for grams not in the table
  // One entry per line, "<gram>\t<log probability in tenths of a nat>\n"; a gram is 1 to 4
  // code points of a word padded with spaces. Text, not an array of structs, so the
  // generated source stays small.
  std::string_view grams;
};

// Immutable.
[[nodiscard]] const std::vector<GroupModelLanguage>& GroupModelTables();

}  // namespace ingestd::language
