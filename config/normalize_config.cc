#include "config/normalize_config.h"

#include <algorithm>
#include <filesystem>

#include "config/reader.h"

namespace ingestd {
namespace {

BoilerplateRule::Action ParseAction(const std::string& s) {
  if (s == "cut") return BoilerplateRule::Action::kCut;
  if (s == "break") return BoilerplateRule::Action::kBreak;
  return BoilerplateRule::Action::kDrop;
}

// One `{id, pattern, action}` mapping; `example`/`why` are documentation.
BoilerplateRule ParseRule(ConfigNode& n, const std::string& prefix, const std::string& origin) {
  BoilerplateRule rule;
  rule.id = n.String("id", "");
  if (rule.id.empty()) n.Fail("id", "each rule needs an id");
  if (!prefix.empty()) rule.id = prefix + "/" + rule.id;
  rule.pattern = n.String("pattern", "");
  if (rule.pattern.empty()) n.Fail("pattern", "rule \"" + rule.id + "\" needs a pattern");
  rule.action = ParseAction(n.Enum("action", "drop", {"drop", "cut", "break"}));
  (void)n.StringList("examples", {});
  (void)n.String("why", "");
  rule.origin = origin;
  n.Done();
  return rule;
}

std::filesystem::path Resolve(const ConfigNode& node, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_relative()) path = std::filesystem::path(node.file()).parent_path() / path;
  return path.lexically_normal();
}

}  // namespace

std::vector<BoilerplateRule> LoadBoilerplateRuleFile(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path + ": cannot open boilerplate rule file");
  } catch (const YAML::ParserException& e) {
    throw ConfigError(path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  auto file = std::make_shared<const std::string>(path);
  if (!root.IsMap()) throw ConfigError(path + ": expected a mapping with `language` and `rules`");
  // `rules` is a list of mappings, read below; the rest goes through ConfigNode.
  YAML::Node header = YAML::Clone(root);
  header.remove("rules");
  ConfigNode top(header, "", file);
  const std::string language = top.String("language", std::filesystem::path(path).stem().string());
  (void)top.String("description", "");
  std::vector<BoilerplateRule> rules;
  const YAML::Node list = root["rules"];
  if (!list || !list.IsSequence()) top.Fail("rules", "expected a list of rules");
  for (size_t i = 0; i < list.size(); ++i) {
    ConfigNode n(list[i], "rules[" + std::to_string(i) + "]", file);
    rules.push_back(ParseRule(n, language, path));
  }
  top.Done();
  return rules;
}

std::vector<BoilerplateRule> LoadBoilerplateRuleDir(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<BoilerplateRule> rules;
  for (const auto& f : files) {
    auto more = LoadBoilerplateRuleFile(f);
    rules.insert(rules.end(), more.begin(), more.end());
  }
  return rules;
}

void ParseNormalizeConfig(ConfigNode& node, NormalizeConfig& out) {
  out.extra_tracking_params = node.StringList("extra_tracking_params", out.extra_tracking_params);
  out.debug_removed_lines = node.Bool("debug_removed_lines", out.debug_removed_lines);
  out.drop_repeated_lines = node.Bool("drop_repeated_lines", out.drop_repeated_lines);
  out.min_segment_bytes = node.Int("min_segment_bytes", out.min_segment_bytes, 1, 1 << 20);

  // Shipped rules: `boilerplate` beside the config file, else beside its directory;
  // a missing default directory means none (unit tests, embedded configs); a
  // directory named explicitly must exist.
  const bool dir_given = node.Has("boilerplate_rules_dir");
  const std::string dir = node.String("boilerplate_rules_dir", "boilerplate");
  if (!dir.empty()) {
    auto path = Resolve(node, dir);
    if (!dir_given && !std::filesystem::is_directory(path)) {
      // The chart mounts the config one level down (/etc/ingestd/config/) from the
      // rules shipped in the image (/etc/ingestd/boilerplate).
      path = Resolve(node, "../" + dir);
    }
    if (std::filesystem::is_directory(path)) {
      out.boilerplate_rules = LoadBoilerplateRuleDir(path.string());
    } else if (dir_given) {
      node.Fail("boilerplate_rules_dir", "not a directory: " + path.string());
    }
  }
  const std::string file = node.String("boilerplate_rules_file", "");
  if (!file.empty()) {
    const auto path = Resolve(node, file);
    if (!std::filesystem::is_regular_file(path)) node.Fail("boilerplate_rules_file", "no such file: " + path.string());
    auto more = LoadBoilerplateRuleFile(path.string());
    out.boilerplate_rules.insert(out.boilerplate_rules.end(), more.begin(), more.end());
  }
  // Inline patterns: whole-line, dropped, named inline/N.
  const auto inline_rules = node.StringList("boilerplate_rules", {});
  for (size_t i = 0; i < inline_rules.size(); ++i) {
    out.boilerplate_rules.push_back(BoilerplateRule{"inline/" + std::to_string(i), inline_rules[i],
                                                    BoilerplateRule::Action::kDrop,
                                                    node.file() + ": " + node.PathOf("boilerplate_rules")});
  }
  {
    ConfigNode l = node.Child("learner");
    out.learner.enabled = l.Bool("enabled", out.learner.enabled);
    out.learner.min_articles = l.Int("min_articles", out.learner.min_articles, 2, 1'000'000);
    out.learner.min_share = l.Double("min_share", out.learner.min_share, 0.0, 1.0);
    out.learner.half_life_hours = l.Int("half_life_hours", out.learner.half_life_hours, 1, 24 * 365);
    out.learner.max_sources = l.Int("max_sources", out.learner.max_sources, 1, 1'000'000);
    out.learner.max_lines_per_source = l.Int("max_lines_per_source", out.learner.max_lines_per_source, 16, 1 << 24);
    out.learner.max_line_bytes = l.Int("max_line_bytes", out.learner.max_line_bytes, 8, 1 << 20);
    out.learner.snapshot = l.FilePath("snapshot", "");
    l.Done();
  }
  node.Done();
}

}  // namespace ingestd
