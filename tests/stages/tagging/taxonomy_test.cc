#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/reader.h"
#include "tests/stages/tagging/tagging_test_util.h"

namespace ingestd::testing {
namespace {

using ::testing::HasSubstr;

std::string LoadError(const TempDir& dir) {
  try {
    (void)CompileTaxonomy(LoadTaxonomy(dir.path(), ""));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Taxonomy, DefaultTaxonomyHasEveryRequiredEntity) {
  std::set<std::string> ids;
  for (const auto& e : DefaultTaxonomy().entities()) ids.insert(e.id);
  for (const char* id : {"org/islamic-state",
                         "org/iskp",
                         "org/is-pakistan",
                         "org/is-sahel",
                         "org/iswap",
                         "org/is-somalia",
                         "org/al-qaeda",
                         "org/aqis",
                         "org/aqap",
                         "org/aqim",
                         "org/jnim",
                         "org/al-shabaab",
                         "org/hts",
                         "org/hurras-al-din",
                         "org/taliban",
                         "org/ttp",
                         "org/haqqani-network",
                         "org/tip",
                         "org/ktj",
                         "org/imu",
                         "org/jamaat-ansarullah",
                         "org/hamas",
                         "org/hezbollah",
                         "org/pij",
                         "org/houthis",
                         "org/boko-haram",
                         "org/lashkar-e-taiba",
                         "org/jaish-e-mohammed",
                         "org/bla",
                         "org/pkk",
                         "org/sdf",
                         "org/ypg",
                         "org/wagner-group",
                         "org/jemaah-islamiyah",
                         "org/abu-sayyaf",
                         "org/adf",
                         "person/abu-bakr-al-baghdadi",
                         "person/ayman-al-zawahiri",
                         "person/osama-bin-laden",
                         "person/abu-mohammad-al-julani",
                         "person/hibatullah-akhundzada",
                         "person/sanaullah-ghafari",
                         "person/abd-al-qadir-mumin",
                         "place/khorasan",
                         "place/sahel",
                         "place/idlib",
                         "place/xinjiang",
                         "place/kashmir",
                         "place/balochistan",
                         "place/khyber-pakhtunkhwa",
                         "place/nangarhar",
                         "place/kabul",
                         "topic/attack",
                         "topic/suicide-bombing",
                         "topic/plot",
                         "topic/claim-of-responsibility",
                         "topic/recruitment",
                         "topic/financing",
                         "topic/propaganda",
                         "topic/detention",
                         "topic/sanctions",
                         "topic/counter-terrorism-operation",
                         "topic/kidnapping"}) {
    EXPECT_TRUE(ids.count(id)) << id;
  }
  size_t countries = 0;
  for (const auto& id : ids) countries += id.rfind("country/", 0) == 0;
  EXPECT_GE(countries, 245u);
}

TEST(Taxonomy, GeneratedCountriesCarryNamesInManyLanguages) {
  for (const auto& e : DefaultTaxonomySource().entities) {
    if (e.id != "country/af") continue;
    std::set<std::string> langs;
    for (const auto& a : e.aliases) langs.insert(a.lang);
    EXPECT_GE(langs.size(), 50u);
    // (Pashto spells it as Persian does; names are listed once, under the first language.)
    EXPECT_TRUE(langs.count("ar") && langs.count("fa") && langs.count("ru") && langs.count("zh") && langs.count("fr"));
    EXPECT_TRUE(e.generated);
    return;
  }
  FAIL() << "country/af missing";
}

TEST(Taxonomy, RejectsDuplicateIdsNamingBothFiles) {
  TempDir dir;
  dir.Write("a.yaml", "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [Xyzzy]}\n");
  dir.Write("b.yaml", "entities:\n  - id: org/x\n    name: X2\n    aliases: {en: [Plugh]}\n");
  const auto error = LoadError(dir);
  EXPECT_THAT(error, HasSubstr("b.yaml"));
  EXPECT_THAT(error, HasSubstr("a.yaml"));
  EXPECT_THAT(error, HasSubstr("org/x: duplicate id"));
}

// Hyperscan 5.4.0 fails every scan of a literal database holding a name that ends in
// 34 or more equal bytes (see kMaxLiteralRun): such a taxonomy is refused with the
// alias named, and a name well under the bound still matches.
TEST(Taxonomy, RejectsANameWithALongRunOfOneCharacter) {
  TempDir dir;
  dir.Write("a.yaml",
            "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [Xyzzy]}\n"
            "  - id: org/y\n    name: Y\n    aliases: {en: [\"Plugh" +
                std::string(40, '<') + "\"]}\n");
  const auto error = LoadError(dir);
  EXPECT_THAT(error, HasSubstr("a.yaml: org/y: alias \"Plugh<<<"));
  EXPECT_THAT(error, HasSubstr("equal characters or separators in a row"));

  TempDir ok;
  ok.Write("a.yaml",
           "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [Xyzzy]}\n"
           "  - id: org/y\n    name: Y\n    aliases: {en: [\"Plugh" +
               std::string(20, '-') + "Xyzzy\"]}\n");
  const auto t = CompileTaxonomy(LoadTaxonomy(ok.path(), ""));
  Article a;
  a.text = "said Plugh" + std::string(20, '-') + "Xyzzy and " + std::string(60, '-') + " then Xyzzy.";
  std::set<std::string> ids;
  for (const auto& tag : t->Match(a, 20)) ids.insert(tag.id);
  EXPECT_EQ(ids, (std::set<std::string>{"org/x", "org/y"}));
}

TEST(Taxonomy, RejectsUnknownParent) {
  TempDir dir;
  dir.Write("a.yaml", "entities:\n  - id: place/x\n    name: X\n    parent: country/zz\n    aliases: {en: [Xyzzy]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("place/x: unknown parent \"country/zz\""));
}

TEST(Taxonomy, RejectsTypeThatDoesNotFitTheId) {
  TempDir dir;
  dir.Write("a.yaml", "entities:\n  - id: org/x\n    type: person\n    name: X\n    aliases: {en: [Xyzzy]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("entities[0] (org/x): type \"person\" does not fit the id"));
}

TEST(Taxonomy, RejectsUnknownKeysWithFileAndLine) {
  TempDir dir;
  dir.Write(
      "a.yaml",
      "entities:\n  - id: org/x\n    name: X\n    aliases:\n      en:\n        - {text: X1, case_sensitiv: true}\n");
  const auto error = LoadError(dir);
  EXPECT_THAT(error, HasSubstr(dir.File("a.yaml") + ":6"));
  EXPECT_THAT(error, HasSubstr("unknown key \"case_sensitiv\""));
  EXPECT_THAT(error, HasSubstr("aliases.en[0]"));
}

TEST(Taxonomy, RejectsBadCaseAndEmptyAliases) {
  TempDir dir;
  dir.Write("a.yaml", "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [{text: X1, case: upper}]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("expected insensitive, sensitive or capitalized"));
  dir.Write("a.yaml", "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [\" \"]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("empty alias"));
  dir.Write("a.yaml", "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [\"--\"]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("org/x: alias \"--\" has no letters after folding"));
}

TEST(Taxonomy, RejectsAnAliasWindowOutOfRangeNamingItsPath) {
  TempDir dir;
  for (const char* window : {"0", "1001"}) {
    dir.Write("a.yaml", std::string("entities:\n  - id: org/x\n    name: X\n    aliases:\n      en:\n"
                                    "        - {text: Xyzzy, near: [attack], window: ") +
                            window + "}\n");
    const auto error = LoadError(dir);
    EXPECT_THAT(error, HasSubstr(dir.File("a.yaml") + ":6: entities[0] (org/x).aliases.en[0].window: "
                                                      "must be between 1 and 1000 characters"))
        << window;
  }
  dir.Write("a.yaml",
            "entities:\n  - id: org/x\n    name: X\n    aliases:\n      en:\n"
            "        - {text: Xyzzy, near: [attack], window: wide}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("entities[0] (org/x).aliases.en[0].window: expected an integer"));
}

TEST(Taxonomy, RejectsAnUnknownIdPrefixNamingTheEntry) {
  TempDir dir;
  dir.Write("a.yaml",
            "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [Xyzzy]}\n"
            "  - id: group/y\n    name: Y\n    aliases: {en: [Plugh]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr(dir.File("a.yaml") + ":5: entities[1] (group/y): unknown id prefix"));
}

TEST(Taxonomy, RejectsABadLanguageKeyNamingItsPath) {
  TempDir dir;
  for (const char* lang : {"en.gb", "\"e n\"", "language-of-the-people"}) {
    dir.Write("a.yaml",
              std::string("entities:\n  - id: org/x\n    name: X\n    aliases:\n      ") + lang + ": [Xyzzy]\n");
    const auto error = LoadError(dir);
    EXPECT_THAT(error, HasSubstr(dir.File("a.yaml") + ":5: entities[0] (org/x).aliases."));
    EXPECT_THAT(error, HasSubstr("language key must be a code such as en, ar, zh-Hant")) << lang;
  }
}

TEST(Taxonomy, RejectsAnAliasSharedByTwoHandWrittenEntities) {
  TempDir dir;
  dir.Write("a.yaml",
            "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [Al-Xyzzy]}\n"
            "  - id: org/y\n    name: Y\n    aliases: {en: [al xyzzy]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("org/y: alias \"al xyzzy\" also names org/x"));
}

TEST(Taxonomy, TopicsNeedTopicIdsAndKeywords) {
  TempDir dir;
  dir.Write("a.yaml", "topics:\n  - id: org/x\n    name: X\n    keywords: {en: [xyzzy]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("entries under \"topics\" need a topic/ id"));
  dir.Write("a.yaml", "topics:\n  - id: topic/x\n    name: X\n    aliases: {en: [xyzzy]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("unknown key \"aliases\""));
}

TEST(Taxonomy, GeneratedNamesYieldToHandWrittenOnesAndAmbiguousOnesAreDropped) {
  TempDir dir, generated;
  dir.Write("a.yaml", "entities:\n  - id: place/xyzzy\n    name: Xyzzy\n    aliases: {en: [Xyzzy]}\n");
  generated.Write("g.yaml",
                  "entities:\n  - id: country/xa\n    name: A\n    aliases: {en: [Xyzzy, Plugh, Frob]}\n"
                  "  - id: country/xb\n    name: B\n    aliases: {en: [Plugh]}\n");
  const auto t = CompileTaxonomy(LoadTaxonomy(dir.path(), generated.path()));
  std::set<std::string> ids;
  for (const auto& tag : t->Match(MakeArticle("Xyzzy, Plugh and Frob"), 5)) ids.insert(tag.id);
  EXPECT_EQ(ids, (std::set<std::string>{"place/xyzzy", "country/xa"}));
  EXPECT_EQ(t->Match(MakeArticle("Plugh"), 5).size(), 0u);
}

TEST(Taxonomy, TraditionalFormsOfSimplifiedAliasesYieldToEveryOtherForm) {
  // org/x lists 伊斯兰国 (Simplified); its Traditional form 伊斯蘭國 is derived. org/y lists
  // 伊斯蘭國 itself, and a generated country lists 喀布爾, the Traditional form of org/z's
  // 喀布尔: what is listed wins, and nothing is refused as a collision.
  TempDir dir, generated;
  dir.Write("a.yaml",
            "entities:\n  - id: org/x\n    name: X\n    aliases: {zh: [伊斯兰国]}\n"
            "  - id: org/y\n    name: Y\n    aliases: {zh-Hant: [伊斯蘭國]}\n"
            "  - id: org/z\n    name: Z\n    aliases: {zh: [喀布尔]}\n");
  generated.Write("g.yaml", "entities:\n  - id: country/xa\n    name: A\n    aliases: {zh-TW: [喀布爾]}\n");
  const auto t = CompileTaxonomy(LoadTaxonomy(dir.path(), generated.path()));
  auto ids_of = [&](const std::string& text) {
    std::set<std::string> ids;
    for (const auto& tag : t->Match(MakeArticle(text), 5)) ids.insert(tag.id);
    return ids;
  };
  EXPECT_EQ(ids_of("伊斯兰国"), (std::set<std::string>{"org/x"}));
  EXPECT_EQ(ids_of("伊斯蘭國"), (std::set<std::string>{"org/y"}));
  EXPECT_EQ(ids_of("喀布尔"), (std::set<std::string>{"org/z"}));
  EXPECT_EQ(ids_of("喀布爾"), (std::set<std::string>{"country/xa"}));
  // The entry that takes a spelling over also brings its own rules: org/w's 伊斯蘭國 needs
  // 聲明 nearby; the derived form of org/v's alias did not.
  dir.Write("a.yaml",
            "entities:\n  - id: org/v\n    name: V\n    aliases: {zh: [伊斯兰国]}\n"
            "  - id: org/w\n    name: W\n    aliases: {zh-Hant: [{text: 伊斯蘭國, near: [聲明]}]}\n");
  const auto ruled = CompileTaxonomy(LoadTaxonomy(dir.path(), ""));
  EXPECT_TRUE(ruled->Match(MakeArticle("伊斯蘭國"), 5).empty());
  ASSERT_EQ(ruled->Match(MakeArticle("伊斯蘭國發表聲明"), 5).size(), 1u);  // 聲明 after 表: no spaces in Chinese
  EXPECT_EQ(ruled->Match(MakeArticle("伊斯蘭國發表聲明"), 5)[0].id, "org/w");
  // Without another claim, the derived form names its own entity.
  dir.Write("a.yaml", "entities:\n  - id: org/x\n    name: X\n    aliases: {zh: [伊斯兰国]}\n");
  const auto alone = CompileTaxonomy(LoadTaxonomy(dir.path(), ""));
  ASSERT_EQ(alone->Match(MakeArticle("伊斯蘭國"), 5).size(), 1u);
  EXPECT_EQ(alone->Match(MakeArticle("伊斯蘭國"), 5)[0].id, "org/x");
}

TEST(Taxonomy, AnAliasListedAsWrittenStillCollidesWhenItIsAlsoADerivedForm) {
  // org/x lists 伊斯兰国 and also 伊斯蘭國 (its own derived form, listed as written): another
  // entry listing 伊斯蘭國 collides with a hand-written alias and is refused, as before.
  TempDir dir;
  dir.Write("a.yaml",
            "entities:\n  - id: org/x\n    name: X\n    aliases: {zh: [伊斯兰国], zh-Hant: [伊斯蘭國]}\n"
            "  - id: org/y\n    name: Y\n    aliases: {zh-Hant: [伊斯蘭國]}\n");
  EXPECT_THAT(LoadError(dir), HasSubstr("org/y: alias \"伊斯蘭國\" also names org/x"));
}

TEST(Taxonomy, VersionFollowsTheContents) {
  TempDir dir;
  dir.Write("a.yaml", "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [Xyzzy]}\n");
  const auto v1 = LoadTaxonomy(dir.path(), "").version;
  EXPECT_EQ(LoadTaxonomy(dir.path(), "").version, v1);
  dir.Write("a.yaml", "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [Xyzzy, Plugh]}\n");
  EXPECT_NE(LoadTaxonomy(dir.path(), "").version, v1);
  EXPECT_EQ(v1.size(), 16u);
}

TEST(Taxonomy, RejectsKeysThatAreNotStrings) {
  // Found by tagging_fuzz: a YAML complex key (`? ...`) used to escape as a yaml-cpp exception.
  for (const char* yaml :
       {"entities:\n  - id: org/x\n    name: X\n    aliases:\n      ? [en]\n      : [Xyzzy]\n",
        "entities:\n  - id: org/x\n    ? - name\n    : X\n    aliases: {en: [Xyzzy]}\n", "? [entities]\n: []\n"}) {
    try {
      (void)ParseTaxonomy({{"keys.yaml", yaml, false}});
      ADD_FAILURE() << "no error for " << yaml;
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), HasSubstr("keys.yaml:")) << yaml;
      EXPECT_THAT(e.what(), HasSubstr("expected a string key")) << yaml;
    }
  }
}

TEST(Taxonomy, ParsesFilesAlreadyReadLikeTheLoader) {
  const std::string yaml = "entities:\n  - id: org/x\n    name: X\n    aliases: {en: [Xyzzy]}\n";
  TempDir dir;
  dir.Write("a.yaml", yaml);
  const Taxonomy loaded = LoadTaxonomy(dir.path(), "");
  const Taxonomy parsed = ParseTaxonomy({{dir.File("a.yaml"), yaml, false}});
  EXPECT_EQ(parsed.version, loaded.version);
  ASSERT_EQ(parsed.entities.size(), 1u);
  EXPECT_EQ(parsed.entities[0].id, "org/x");
  EXPECT_FALSE(parsed.entities[0].generated);
  EXPECT_TRUE(ParseTaxonomy({{"gen.yaml", yaml, true}}).entities[0].generated);
  try {
    (void)ParseTaxonomy({{"text.yaml", "entities: [{id: bad}]\n", false}});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("text.yaml"));
  }
}

}  // namespace
}  // namespace ingestd::testing
