#include "stages/text/utf8.h"

namespace ingestd {

bool IsValidUtf8(std::string_view s) {
  const auto* data = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t pos = 0; pos < s.size();) {
    if (data[pos] < 0x80) {
      ++pos;
      continue;
    }
    int32_t cp = 0;
    const size_t len = DecodeUtf8(data + pos, s.size() - pos, cp);
    if (len == 0) return false;
    pos += len;
  }
  return true;
}

size_t RepairUtf8(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  size_t repaired = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(in.data());
  size_t pos = 0;
  while (pos < in.size()) {
    size_t run = pos;  // ASCII runs are copied whole
    while (run < in.size() && data[run] < 0x80) ++run;
    out.append(in.data() + pos, run - pos);
    pos = run;
    if (pos == in.size()) break;
    int32_t cp = 0;
    const size_t len = DecodeUtf8(data + pos, in.size() - pos, cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD, one per invalid byte
      ++repaired;
      ++pos;
      continue;
    }
    out.append(in.data() + pos, len);
    pos += len;
  }
  return repaired;
}

}  // namespace ingestd
