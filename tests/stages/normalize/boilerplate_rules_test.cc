// The shipped rule files against fixtures written for the project, one per kind
// of chrome in issue 4, with the expected clean text.
#include "stages/normalize/boilerplate_rules.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "config/normalize_config.h"
#include "config/reader.h"
#include "stages/normalize/page_cleaner.h"
#include "stages/normalize/text_hygiene.h"
#include "tests/test_paths.h"

namespace ingestd {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(testing::SourceDir() + "/tests/fixtures/normalize/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

const std::vector<BoilerplateRule>& ShippedRules() {
  static const auto rules = LoadBoilerplateRuleDir(testing::SourceDir() + "/config/boilerplate");
  return rules;
}

class ShippedRulesTest : public ::testing::Test {
 protected:
  ShippedRulesTest() : rules_(ShippedRules()), cleaner_(config_, &rules_, nullptr) {}
  CleanedPage Clean(const std::string& fixture) {
    return cleaner_.Clean(CleanText(ReadFixture(fixture)), "site.example", {}, true);
  }
  NormalizeConfig config_;
  BoilerplateRules rules_;
  PageCleaner cleaner_;
};

TEST_F(ShippedRulesTest, EveryShippedPatternCompiles) { EXPECT_GT(rules_.size(), 50u); }

TEST_F(ShippedRulesTest, CleansEnglishNewsSiteChrome) {
  const CleanedPage page = Clean("en_news_site.txt");
  EXPECT_EQ(page.text, ReadFixture("en_news_site.expected.txt"));
  ASSERT_EQ(page.segments.size(), 2u);  // two articles on one page
  EXPECT_EQ(page.segments[0].start, 0u);
  EXPECT_EQ(page.segments[1].title, "Farmers Count the Cost of a Late Harvest");
  EXPECT_EQ(page.text.substr(page.segments[1].start, 8), "Security");
  EXPECT_EQ(page.segments[1].end, page.text.size());
}

TEST_F(ShippedRulesTest, CleansChannelBannersAndPrompts) {
  const CleanedPage page = Clean("en_channel_dump.txt");
  EXPECT_EQ(page.text, ReadFixture("en_channel_dump.expected.txt"));
  EXPECT_EQ(page.report.lines_removed, 12u);
}

TEST_F(ShippedRulesTest, CleansArabicNewsSiteChrome) {
  EXPECT_EQ(Clean("ar_news_site.txt").text, ReadFixture("ar_news_site.expected.txt"));
}

TEST_F(ShippedRulesTest, CleansRussianNewsSiteChrome) {
  EXPECT_EQ(Clean("ru_news_site.txt").text, ReadFixture("ru_news_site.expected.txt"));
}

TEST_F(ShippedRulesTest, RemovesHeadlineDigestAndReportsItsArticles) {
  const CleanedPage page = Clean("en_digest.txt");
  EXPECT_EQ(page.text, ReadFixture("en_digest.expected.txt"));
  ASSERT_EQ(page.segments.size(), 2u);
  EXPECT_EQ(page.segments[0].title, "Port Strike Enters Second Week (A. Writer, Example News)");
  EXPECT_EQ(page.segments[1].title, "Schools Reopen After Flood Repairs (B. Reporter, Example Times)");
}

TEST_F(ShippedRulesTest, DropsABodyPrintedTwiceAndTheCommentForm) {
  EXPECT_EQ(Clean("en_page_twice.txt").text, ReadFixture("en_page_twice.expected.txt"));
}

TEST_F(ShippedRulesTest, KeepsContentThatOnlyResemblesChrome) {
  const std::string text =
      "Updated guidance was sent to all schools on Monday.\n\nShare prices fell.\n\nThe minister said the "
      "latest figures were encouraging.\n\nشارك الرئيس في القمة\n\nОпубликовано заявление министерства";
  EXPECT_EQ(cleaner_.Clean(text, "site.example", {}, false).text, text);
}

TEST_F(ShippedRulesTest, CutsOnlyInTheLaterPartOfTheText) {
  // "Latest" as the first line is dropped, not a cut of the whole article.
  const CleanedPage page = cleaner_.Clean("Latest\nThe article itself is here and it is long enough.", "s", {}, false);
  EXPECT_EQ(page.text, "The article itself is here and it is long enough.");
}

TEST(BoilerplateRules, BadPatternNamesRuleAndFile) {
  try {
    BoilerplateRules rules({{"en/broken", "(unclosed", BoilerplateRule::Action::kDrop, "en.yaml"}});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("en.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("en/broken"), std::string::npos) << e.what();
  }
}

TEST(BoilerplateRules, MatchesWholeLinesCaseInsensitively) {
  BoilerplateRules rules({{"x/follow", "follow us", BoilerplateRule::Action::kDrop, "inline"},
                          {"x/ru", "читайте также", BoilerplateRule::Action::kBreak, "inline"}});
  ASSERT_NE(rules.Match("FOLLOW US"), nullptr);
  EXPECT_EQ(rules.Match("Follow us")->id, "x/follow");
  EXPECT_EQ(rules.Match("Please follow us"), nullptr);
  ASSERT_NE(rules.Match("ЧИТАЙТЕ ТАКЖЕ"), nullptr);
  EXPECT_EQ(rules.Match("Читайте также")->action, BoilerplateRule::Action::kBreak);
}

// MatchLines gives each line the verdict Match gives it alone: pages of chrome lines,
// a rule that could match across lines, paragraphs longer than
// kMaxLineBytes, lines of exactly that length and one more, lines of spaces (one
// rule matches them), empty lines (no verdict), with and without a final newline.
TEST(BoilerplateRules, MatchLinesGivesEachLineTheVerdictOfMatch) {
  std::vector<BoilerplateRule> rules = ShippedRules();
  rules.push_back({"x/blank", " *", BoilerplateRule::Action::kDrop, "inline"});
  // A user's pattern that can match a line break: it must not join a line to the next.
  rules.push_back({"x/joined", "share this article[^x]+", BoilerplateRule::Action::kDrop, "inline"});
  const BoilerplateRules matcher(rules);
  const std::string paragraph =
      "Officials said on Tuesday that the road to the northern districts would reopen next week, after "
      "repairs that took longer than planned because of the rain and the lack of workers. Follow us on Twitter. ";
  ASSERT_GT(paragraph.size(), BoilerplateRules::kMaxLineBytes);
  const std::vector<std::string> pieces = {"Follow us on Twitter",
                                           "Share this article",
                                           "Home | World | Politics | Contact",
                                           "_________",
                                           "1 / 3",
                                           "تابعونا على تويتر",
                                           "Читайте также",
                                           "",
                                           "   ",
                                           paragraph,
                                           paragraph + paragraph,
                                           std::string(BoilerplateRules::kMaxLineBytes, '_'),
                                           std::string(BoilerplateRules::kMaxLineBytes + 1, '_'),
                                           "A short line that is not chrome"};
  std::mt19937 rng(5);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> lines;
    const size_t n = 1 + rng() % 12;
    for (size_t i = 0; i < n; ++i) lines.push_back(pieces[rng() % pieces.size()]);
    std::string text;
    for (size_t i = 0; i < n; ++i) text += (i ? "\n" : "") + lines[i];
    if (rng() % 3 == 0) {
      text += "\n";
      lines.emplace_back();
    }
    const auto verdicts = matcher.MatchLines(text);
    ASSERT_EQ(verdicts.size(), lines.size()) << text;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].empty()) {
        EXPECT_EQ(verdicts[i], nullptr) << "empty line " << i << " of\n" << text;
        continue;
      }
      const BoilerplateRule* alone = matcher.Match(lines[i]);
      EXPECT_EQ(verdicts[i] ? verdicts[i]->id : "-", alone ? alone->id : "-") << "line " << i << " of\n" << text;
    }
  }
}

TEST(NormalizeConfig, ReadsInlineRulesAndRejectsUnknownKeys) {
  YAML::Node root = YAML::Load(
      "boilerplate_rules_dir: ''\nboilerplate_rules: ['sponsored by .*']\n"
      "learner: {min_articles: 3}\n");
  ConfigNode node(root, "normalize", std::make_shared<const std::string>("test.yaml"));
  NormalizeConfig config;
  ParseNormalizeConfig(node, config);
  ASSERT_EQ(config.boilerplate_rules.size(), 1u);
  EXPECT_EQ(config.boilerplate_rules[0].id, "inline/0");
  EXPECT_EQ(config.learner.min_articles, 3);

  YAML::Node bad = YAML::Load("learner: {min_artcles: 3}\n");
  ConfigNode bad_node(bad, "normalize", std::make_shared<const std::string>("test.yaml"));
  NormalizeConfig unused;
  EXPECT_THROW(ParseNormalizeConfig(bad_node, unused), ConfigError);
}

TEST(NormalizeConfig, FindsShippedRulesBesideTheConfigDirectory) {
  // The chart's layout: /etc/ingestd/config/ingestd.yaml and /etc/ingestd/boilerplate/.
  const auto root = std::filesystem::temp_directory_path() / ("normalize_layout_" + std::to_string(getpid()));
  std::filesystem::create_directories(root / "config");
  std::filesystem::create_directories(root / "boilerplate");
  std::ofstream(root / "boilerplate" / "x.yaml") << "language: x\nrules:\n  - id: a\n    pattern: \"follow us\"\n";
  YAML::Node empty(YAML::NodeType::Map);
  ConfigNode node(empty, "normalize", std::make_shared<const std::string>((root / "config" / "ingestd.yaml").string()));
  NormalizeConfig config;
  ParseNormalizeConfig(node, config);
  ASSERT_EQ(config.boilerplate_rules.size(), 1u);
  EXPECT_EQ(config.boilerplate_rules[0].id, "x/a");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace ingestd
