#include "stages/normalize/page_cleaner.h"

#include <xxhash.h>

#include <algorithm>
#include <unordered_map>

#include "stages/normalize/digest_match.h"

namespace ingestd {
namespace {

enum class Fate : uint8_t { kKeep, kRule, kRepeat, kDigest, kLearned };

struct Line {
  std::string_view text;
  size_t offset = 0;          // in the input
  bool blank_before = false;  // a paragraph break precedes it
  Fate fate = Fate::kKeep;
  bool starts_segment = false;
  bool is_heading = false;  // the later copy of a digest entry: a segment title
};

// Headlines in digests carry list markers: "1...", "2)", "·", "•", "-".
std::string_view StripListMarker(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i > 0 && i < s.size() && (s[i] == '.' || s[i] == ')')) {
    while (i < s.size() && (s[i] == '.' || s[i] == ')')) ++i;
  } else {
    i = 0;
    for (std::string_view m : {"·", "•", "-", "–", "—", "*", "►", "▪"}) {
      if (s.starts_with(m)) {
        i = m.size();
        break;
      }
    }
  }
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

// Digest matching key: ASCII-lowercased, spaces dropped.
std::string DigestKey(std::string_view s) {
  const std::string_view body = StripListMarker(s);
  std::string out(body.size(), '\0');
  size_t n = 0;
  for (char ch : body) {
    const auto c = static_cast<unsigned char>(ch);
    out[n] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : ch;
    n += c != ' ';  // a space is overwritten by the next byte
  }
  out.resize(n);
  return out;
}

size_t CountWords(std::string_view s) {
  size_t n = 0;
  bool in = false;
  for (char c : s) {
    if (c == ' ') {
      in = false;
    } else if (!in) {
      in = true;
      ++n;
    }
  }
  return n;
}

// A segment's title: the first heading-like line among its first four.
std::string GuessTitle(const std::vector<const Line*>& lines) {
  for (size_t i = 0; i < lines.size() && i < 4; ++i) {
    const Line& l = *lines[i];
    if (l.is_heading) return std::string(StripListMarker(l.text));
    const size_t words = CountWords(l.text);
    const char last = l.text.empty() ? '.' : l.text.back();
    if (l.text.size() <= 200 && words >= 3 && words <= 25 && last != '.' && last != ',' && last != ':') {
      return std::string(l.text);
    }
  }
  return {};
}

}  // namespace

PageCleaner::PageCleaner(const NormalizeConfig& config, const BoilerplateRules* rules, BoilerplateLearner* learner)
    : rules_(rules),
      learner_(learner),
      drop_repeats_(config.drop_repeated_lines),
      min_segment_bytes_(static_cast<size_t>(config.min_segment_bytes)),
      learner_max_line_bytes_(static_cast<size_t>(config.learner.max_line_bytes)) {}

CleanedPage PageCleaner::Clean(std::string_view text, std::string_view source,
                               std::chrono::system_clock::time_point now, bool keep_removed) const {
  // Split into non-empty lines, remembering paragraph breaks.
  // The rules give a verdict per raw line (BoilerplateRules::MatchLines).
  const bool with_rules = rules_ != nullptr && rules_->size() > 0;
  const std::vector<const BoilerplateRule*> matches =
      with_rules ? rules_->MatchLines(text) : std::vector<const BoilerplateRule*>{};
  std::vector<Line> lines;
  std::vector<const BoilerplateRule*> rule_of;
  {
    size_t pos = 0;
    size_t raw = 0;
    bool blank = false;
    while (pos <= text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view l = text.substr(pos, end - pos);
      if (l.empty()) {
        blank = true;
      } else {
        lines.push_back(Line{l, pos, blank});
        rule_of.push_back(with_rules ? matches[raw] : nullptr);
        blank = false;
      }
      pos = end + 1;
      ++raw;
    }
  }
  const size_t n = lines.size();

  // 1. Rules.
  bool pending_break = false;
  if (with_rules) {
    for (size_t i = 0; i < n; ++i) {
      Line& l = lines[i];
      if (pending_break) {
        l.starts_segment = true;
        pending_break = false;
      }
      const BoilerplateRule* rule = rule_of[i];
      if (rule == nullptr) continue;
      l.fate = Fate::kRule;
      if (rule->action == BoilerplateRule::Action::kBreak) {
        pending_break = true;
      } else if (rule->action == BoilerplateRule::Action::kCut && l.offset * 10 >= text.size() * 4) {
        for (size_t j = i + 1; j < n; ++j) lines[j].fate = Fate::kRule;
        break;
      }
      // A removed line passes a pending segment start on to the next kept one.
      if (l.starts_segment) {
        l.starts_segment = false;
        pending_break = true;
      }
    }
  }

  // 2. Exact repeats inside the article: later copies go (a body printed twice,
  // a banner three times). Short lines only inside a run of long repeats, so
  // "Dear attendees," between paragraphs stays.
  if (drop_repeats_) {
    std::unordered_map<uint64_t, size_t> first;
    std::vector<bool> repeat(n, false);
    for (size_t i = 0; i < n; ++i) {
      if (lines[i].fate != Fate::kKeep) continue;
      const uint64_t h = XXH3_64bits(lines[i].text.data(), lines[i].text.size());
      repeat[i] = !first.emplace(h, i).second;
    }
    constexpr size_t kLongLine = 40;
    for (size_t i = 0; i < n; ++i) {
      if (!repeat[i]) continue;
      bool drop = lines[i].text.size() >= kLongLine;
      if (!drop) {
        // Neighbours (kept lines) that are long repeats make this part of a repeated run.
        auto long_repeat = [&](size_t j) { return repeat[j] && lines[j].text.size() >= kLongLine; };
        size_t p = i;
        while (p > 0 && lines[p - 1].fate != Fate::kKeep && lines[p - 1].fate != Fate::kRepeat) --p;
        size_t q = i + 1;
        while (q < n && lines[q].fate != Fate::kKeep) ++q;
        drop = (p > 0 && long_repeat(p - 1)) || (q < n && long_repeat(q));
      }
      if (drop) lines[i].fate = Fate::kRepeat;
    }
  }

  // 3. Headline digests: a short line (list marker stripped) whose text starts a
  // later line is a digest entry; the later line is that article's heading.
  {
    std::vector<std::string> keys(n);
    for (size_t i = 0; i < n; ++i) {
      if (lines[i].fate == Fate::kKeep && lines[i].text.size() <= 200) keys[i] = DigestKey(lines[i].text);
    }
    const std::vector<size_t> later = FirstLaterExtensions(keys, 20);
    for (size_t i = 0; i < n; ++i) {
      if (later[i] == SIZE_MAX) continue;
      lines[i].fate = Fate::kDigest;
      lines[later[i]].is_heading = true;
      lines[later[i]].starts_segment = true;
    }
    // A heading that is itself a digest entry of a later heading is not a heading.
    for (auto& l : lines) {
      if (l.fate == Fate::kDigest) {
        l.is_heading = false;
        l.starts_segment = false;
      }
    }
  }

  // 4. The learner, on what is left.
  if (learner_ != nullptr) {
    std::vector<BoilerplateLearner::Line> keys;
    std::vector<size_t> key_line;  // first line with that key
    std::unordered_map<uint64_t, size_t> index;
    std::vector<size_t> line_key(n, SIZE_MAX);
    for (size_t i = 0; i < n; ++i) {
      if (lines[i].fate != Fate::kKeep || lines[i].text.size() > learner_max_line_bytes_) continue;
      const uint64_t k = BoilerplateLearner::LineKey(lines[i].text);
      auto [it, fresh] = index.emplace(k, keys.size());
      if (fresh) keys.push_back({k, static_cast<uint32_t>(lines[i].text.size())});
      line_key[i] = it->second;
    }
    if (!keys.empty()) {
      const std::vector<bool> learned = learner_->Observe(source, keys, now);
      for (size_t i = 0; i < n; ++i) {
        if (line_key[i] != SIZE_MAX && learned[line_key[i]]) lines[i].fate = Fate::kLearned;
      }
    }
  }

  // 5. Assemble the kept lines; segment starts move to the next kept line.
  CleanedPage page;
  page.text.reserve(text.size());
  std::vector<size_t> starts;  // indices into kept
  std::vector<const Line*> kept;
  bool blank = false;
  bool segment = false;
  for (auto& l : lines) {
    blank |= l.blank_before;
    segment |= l.starts_segment;
    if (l.fate != Fate::kKeep) {
      ++page.report.lines_removed;
      switch (l.fate) {
        case Fate::kRule: ++page.removed_by_rule; break;
        case Fate::kRepeat: ++page.removed_as_repeat; break;
        case Fate::kDigest: ++page.removed_as_digest; break;
        case Fate::kLearned: ++page.removed_by_learner; break;
        case Fate::kKeep: break;
      }
      if (keep_removed) page.report.removed.emplace_back(l.text);
      continue;
    }
    if (!page.text.empty()) page.text += blank ? "\n\n" : "\n";
    if (segment && !kept.empty()) starts.push_back(kept.size());
    blank = false;
    segment = false;
    l.offset = page.text.size();  // now the offset in the output
    page.text.append(l.text);
    kept.push_back(&l);
  }

  // 6. Segments: spans between starts, small ones merged into the previous.
  if (!starts.empty()) {
    std::vector<std::pair<size_t, size_t>> spans;  // [first kept, end kept)
    size_t begin = 0;
    for (size_t s : starts) {
      spans.emplace_back(begin, s);
      begin = s;
    }
    spans.emplace_back(begin, kept.size());
    auto bytes = [&](const std::pair<size_t, size_t>& sp) {
      const size_t end = sp.second < kept.size() ? kept[sp.second]->offset : page.text.size();
      return end - kept[sp.first]->offset;
    };
    std::vector<std::pair<size_t, size_t>> merged;
    for (const auto& sp : spans) {
      if (!merged.empty() && (bytes(sp) < min_segment_bytes_ || bytes(merged.back()) < min_segment_bytes_)) {
        merged.back().second = sp.second;
      } else {
        merged.push_back(sp);
      }
    }
    if (merged.size() >= 2) {
      for (const auto& sp : merged) {
        Segment seg;
        seg.start = static_cast<uint32_t>(kept[sp.first]->offset);
        const Line& last = *kept[sp.second - 1];
        seg.end = static_cast<uint32_t>(last.offset + last.text.size());
        std::vector<const Line*> head(kept.begin() + static_cast<std::ptrdiff_t>(sp.first),
                                      kept.begin() + static_cast<std::ptrdiff_t>(std::min(sp.second, sp.first + 4)));
        seg.title = GuessTitle(head);
        page.segments.push_back(std::move(seg));
      }
    }
  }
  return page;
}

}  // namespace ingestd
