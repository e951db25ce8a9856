// Synthetic multi-source corpus for evaluating the boilerplate learner: three
// sources of one media network sharing a template (plus their own chrome),
// articles of random prose, quotations shared across sources, occasional
// re-sends. Every line is labelled template or content, so removal can be scored.
// Deterministic for a given seed (std::mt19937_64, own distributions).
// Used by bench/normalize_learner_eval.cc and tests/stages/normalize.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ingestd::synthetic {

struct LabelledLine {
  std::string text;
  bool is_template = false;
};

struct Article {
  std::string source;
  std::chrono::system_clock::time_point time;
  std::vector<LabelledLine> lines;
  int index_in_source = 0;  // 0-based order of arrival within its source
  bool resend = false;      // a copy of an earlier article of the source
  [[nodiscard]] std::string Text() const {
    std::string t;
    for (const auto& l : lines) {
      if (!t.empty()) t += "\n\n";
      t += l.text;
    }
    return t;
  }
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  // `per_source` articles for each of three sources, interleaved in time over
  // `days` days (about 20 lines each, a quarter of them template).
  std::vector<Article> Make(int per_source, int days) {
    static const char* kSources[] = {"dailymeridian.example", "meridian-courier.example", "tg:meridian_wire"};
    std::vector<Article> out;
    const auto start = std::chrono::system_clock::time_point(std::chrono::hours(24 * 19800));  // 2024-03-18
    const double step_s = static_cast<double>(days) * 86400.0 / (3.0 * per_source);
    std::vector<std::vector<Article>> history(3);
    for (int i = 0; i < per_source * 3; ++i) {
      const int s = i % 3;
      const int k = static_cast<int>(history[s].size());
      const auto t = start + std::chrono::seconds(static_cast<int64_t>(step_s * i + Uniform(0, 600)));
      Article a;
      if (k > 5 && Uniform(0, 99) < 5) {  // a re-send of a recent article
        a = history[s][static_cast<size_t>(k - 1 - Uniform(0, 4))];
        a.resend = true;
      } else {
        a = NewArticle(s, k);
      }
      a.source = kSources[s];
      a.time = t;
      a.index_in_source = k;
      history[s].push_back(a);
      out.push_back(std::move(a));
    }
    return out;
  }

 private:
  int Uniform(int lo, int hi) { return lo + static_cast<int>(rng_() % static_cast<uint64_t>(hi - lo + 1)); }

  std::string Word() {
    static const char* kWords[] = {
        "government", "minister",  "province",  "border",    "security",  "council",   "report",     "village",
        "militants",  "officials", "agreement", "economy",   "trade",     "election",  "parliament", "court",
        "police",     "attack",    "ceasefire", "talks",     "region",    "capital",   "refugees",   "aid",
        "drought",    "harvest",   "prices",    "fuel",      "bank",      "currency",  "exports",    "imports",
        "school",     "hospital",  "doctors",   "students",  "teachers",  "roads",     "bridge",     "railway",
        "the",        "a",         "of",        "in",        "on",        "with",      "after",      "before",
        "during",     "against",   "between",   "said",      "announced", "denied",    "confirmed",  "reported",
        "warned",     "promised",  "rejected",  "approved",  "new",       "local",     "national",   "regional",
        "senior",     "former",    "several",   "dozens",    "hundreds",  "thousands", "week",       "month",
        "year",       "morning",   "evening",   "statement", "interview", "spokesman", "analysts",   "residents",
        "families",   "workers",   "farmers",   "traders",   "soldiers",  "convoy",    "checkpoint", "district",
        "northern",   "southern",  "eastern",   "western",   "central",   "coastal",   "mountain",   "river"};
    return kWords[Uniform(0, static_cast<int>(std::size(kWords)) - 1)];
  }

  std::string Sentence(int min_words, int max_words) {
    std::string s;
    const int n = Uniform(min_words, max_words);
    for (int i = 0; i < n; ++i) {
      std::string w = Word();
      if (i == 0) w[0] = static_cast<char>(w[0] - 32);
      if (i > 0) s += ' ';
      s += w;
      if (i > 2 && i + 2 < n && Uniform(0, 9) == 0) s += ',';
    }
    return s + '.';
  }

  std::string Heading() {
    std::string h = Sentence(4, 9);
    h.pop_back();
    return h;
  }

  // Template lines: network-wide, per source, and a "trending" block whose five
  // items rotate slowly (one item replaced every 50 articles of the source).
  std::vector<std::string> Header(int s) {
    static const char* kNav[] = {"World · Region · Economy · Opinion · Video",
                                 "Politics | Security | Business | Culture",
                                 "Wire feed: verified updates from our desks"};
    static const char* kName[] = {"The Daily Meridian", "Meridian Courier", "Meridian Wire Channel"};
    return {kName[s], kNav[s], "A Meridian Media Network publication"};
  }
  std::vector<std::string> Footer(int s, int k) {
    static const char* kTips[] = {"Have a tip? Write to the newsroom at desk at dailymeridian dot example",
                                  "Courier readers can send corrections through the form on our about page",
                                  "Forward this message to friends who follow the region"};
    std::vector<std::string> f = {"Most read this week"};
    for (int j = 0; j < 5; ++j) f.push_back(Trending(s, k, j));
    f.push_back(kTips[s]);
    f.push_back("Meridian Media Network: independent reporting since 1998");
    f.push_back("Reader comments (" + std::to_string(Uniform(0, 60)) + ")");
    return f;
  }
  std::string Trending(int s, int k, int slot) {
    // Item `slot` changes when (k + 10 * slot) crosses a multiple of 50.
    const int epoch = (k + 10 * slot) / 50;
    std::mt19937_64 r(static_cast<uint64_t>(s * 1000003 + slot * 7919 + epoch * 104729));
    std::string t = "Trending: ";
    static const char* kTopics[] = {"fuel prices climb again", "border talks resume",       "new railway link opens",
                                    "harvest worries farmers", "court rules on election",   "ceasefire holds in north",
                                    "bank raises rates",       "schools reopen after flood"};
    t += kTopics[r() % std::size(kTopics)];
    t += " (" + std::to_string(r() % 90 + 10) + ")";
    return t;
  }
  std::string Quote() {
    // Shared by all sources: a quotation republished by several outlets is content.
    std::mt19937_64 r(static_cast<uint64_t>(Uniform(0, 39)) * 2654435761u);
    std::string q = "\u201C";
    for (int i = 0; i < 14; ++i) {
      static const char* kW[] = {"we",    "will",   "not",    "accept", "any",  "deal", "that",  "ignores",
                                 "voice", "people", "border", "peace",  "must", "come", "first", "our"};
      q += (i ? " " : "");
      q += kW[r() % std::size(kW)];
    }
    return q + ",\u201D the minister said.";
  }

  Article NewArticle(int s, int k) {
    Article a;
    for (auto& h : Header(s)) a.lines.push_back({h, true});
    a.lines.push_back({Heading(), false});
    const int paragraphs = Uniform(8, 13);
    for (int p = 0; p < paragraphs; ++p) {
      if (p > 0 && Uniform(0, 9) == 0) a.lines.push_back({Heading(), false});
      if (Uniform(0, 11) == 0) {
        a.lines.push_back({Quote(), false});
        continue;
      }
      std::string para;
      const int sentences = Uniform(1, 4);
      for (int i = 0; i < sentences; ++i) para += (i ? " " : "") + Sentence(8, 24);
      a.lines.push_back({para, false});
    }
    for (auto& f : Footer(s, k)) a.lines.push_back({f, true});
    return a;
  }

  std::mt19937_64 rng_;
};

}  // namespace ingestd::synthetic
