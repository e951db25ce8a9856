#include "config/tagging_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/reader.h"

namespace ingestd {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Fail(const std::string& file, const YAML::Node& node, const std::string& where,
                       const std::string& what) {
  std::string msg = file;
  if (node.IsDefined() && node.Mark().line >= 0) msg += ":" + std::to_string(node.Mark().line + 1);
  msg += ": ";
  if (!where.empty()) msg += where + ": ";
  throw ConfigError(msg + what);
}

std::string Scalar(const std::string& file, const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) Fail(file, node, where, "expected a string");
  return node.as<std::string>();
}

std::vector<std::string> ScalarList(const std::string& file, const YAML::Node& node, const std::string& where) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.as<std::string>());
    return out;
  }
  if (!node.IsSequence()) Fail(file, node, where, "expected a list of strings");
  for (size_t i = 0; i < node.size(); ++i) out.push_back(Scalar(file, node[i], where + "[" + std::to_string(i) + "]"));
  return out;
}

// A mapping key; YAML allows lists and mappings as keys (`? [a, b]`), the taxonomy does not.
std::string Key(const std::string& file, const YAML::Node& key, const std::string& where) {
  if (!key.IsScalar()) Fail(file, key, where, "expected a string key");
  return key.as<std::string>();
}

void CheckKeys(const std::string& file, const YAML::Node& node, const std::string& where,
               std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : node) {
    const auto key = Key(file, kv.first, where);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      Fail(file, kv.first, where, "unknown key \"" + key + "\" (known: " + list + ")");
    }
  }
}

bool ValidSlugId(const std::string& id) {
  const auto slash = id.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == id.size()) return false;
  for (size_t i = slash + 1; i < id.size(); ++i) {
    const char c = id[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool ValidLangKey(const std::string& lang) {
  if (lang.empty() || lang.size() > 12) return false;
  for (char c : lang)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

TaxonomyAlias ParseAlias(const std::string& file, const YAML::Node& node, const std::string& where,
                         const std::string& lang) {
  TaxonomyAlias alias;
  alias.lang = lang;
  if (node.IsScalar()) {
    alias.text = node.as<std::string>();
  } else if (node.IsMap()) {
    CheckKeys(file, node, where, {"text", "case", "near", "not_near", "window"});
    if (!node["text"]) Fail(file, node, where, "an alias needs \"text\"");
    alias.text = Scalar(file, node["text"], where + ".text");
    if (node["case"]) {
      const std::string c = Scalar(file, node["case"], where + ".case");
      if (c == "insensitive")
        alias.match_case = TaxonomyAlias::Case::kInsensitive;
      else if (c == "sensitive")
        alias.match_case = TaxonomyAlias::Case::kSensitive;
      else if (c == "capitalized")
        alias.match_case = TaxonomyAlias::Case::kCapitalized;
      else
        Fail(file, node["case"], where + ".case", "expected insensitive, sensitive or capitalized");
    }
    if (node["near"]) alias.near = ScalarList(file, node["near"], where + ".near");
    if (node["not_near"]) alias.not_near = ScalarList(file, node["not_near"], where + ".not_near");
    if (node["window"]) {
      int w = 0;
      try {
        w = node["window"].as<int>();
      } catch (const YAML::Exception&) {
        Fail(file, node["window"], where + ".window", "expected an integer");
      }
      if (w < 1 || w > 1000) Fail(file, node["window"], where + ".window", "must be between 1 and 1000 characters");
      alias.window = w;
    }
    for (const auto& w : alias.near)
      if (w.empty()) Fail(file, node, where + ".near", "empty context word");
    for (const auto& w : alias.not_near)
      if (w.empty()) Fail(file, node, where + ".not_near", "empty context word");
  } else {
    Fail(file, node, where, "an alias is a string or a mapping with \"text\"");
  }
  if (alias.text.find_first_not_of(" \t") == std::string::npos) Fail(file, node, where, "empty alias");
  return alias;
}

void ParseEntity(const std::string& file, const YAML::Node& node, const std::string& where, bool topic,
                 std::vector<TaxonomyEntity>& out) {
  if (!node.IsMap()) Fail(file, node, where, "expected a mapping with id, name and aliases");
  const char* aliases_key = topic ? "keywords" : "aliases";
  CheckKeys(file, node, where, {"id", "type", "name", "parent", aliases_key});
  TaxonomyEntity e;
  e.file = file;
  if (!node["id"]) Fail(file, node, where, "missing \"id\"");
  e.id = Scalar(file, node["id"], where + ".id");
  const std::string at = where + " (" + e.id + ")";
  if (!ValidSlugId(e.id)) Fail(file, node["id"], at, "id must look like \"<kind>/<lower-case-slug>\"");
  const std::string implied = TaxonomyTypeOfId(e.id);
  if (implied.empty()) Fail(file, node["id"], at, "unknown id prefix (org/, person/, country/, place/, topic/)");
  if (topic != (implied == "topic"))
    Fail(file, node["id"], at,
         topic ? "entries under \"topics\" need a topic/ id" : "topic/ ids belong under \"topics\"");
  e.type = node["type"] ? Scalar(file, node["type"], at + ".type") : implied;
  if (e.type != implied) Fail(file, node["type"], at, "type \"" + e.type + "\" does not fit the id (" + implied + ")");
  if (!node["name"]) Fail(file, node, at, "missing \"name\"");
  e.name = Scalar(file, node["name"], at + ".name");
  if (e.name.empty()) Fail(file, node["name"], at, "empty name");
  if (node["parent"]) e.parent = Scalar(file, node["parent"], at + ".parent");
  const YAML::Node aliases = node[aliases_key];
  if (!aliases) Fail(file, node, at, std::string("missing \"") + aliases_key + "\"");
  if (!aliases.IsMap())
    Fail(file, aliases, at + "." + aliases_key, "expected a mapping of language -> list (en: [..], ar: [..])");
  for (const auto& kv : aliases) {
    const auto lang = Key(file, kv.first, at + "." + aliases_key);
    const std::string lw = at + "." + aliases_key + "." + lang;
    if (!ValidLangKey(lang)) Fail(file, kv.first, lw, "language key must be a code such as en, ar, zh-Hant");
    if (kv.second.IsSequence()) {
      for (size_t i = 0; i < kv.second.size(); ++i)
        e.aliases.push_back(ParseAlias(file, kv.second[i], lw + "[" + std::to_string(i) + "]", lang));
    } else {
      e.aliases.push_back(ParseAlias(file, kv.second, lw, lang));
    }
  }
  if (e.aliases.empty()) Fail(file, aliases, at, std::string("no ") + aliases_key);
  out.push_back(std::move(e));
}

void ParseRoot(const std::string& file, const YAML::Node& root, bool generated, std::vector<TaxonomyEntity>& out) {
  CheckKeys(file, root, "", {"entities", "topics"});
  for (const char* key : {"entities", "topics"}) {
    const YAML::Node list = root[key];
    if (!list) continue;
    if (!list.IsSequence()) Fail(file, list, key, "expected a list");
    for (size_t i = 0; i < list.size(); ++i)
      ParseEntity(file, list[i], std::string(key) + "[" + std::to_string(i) + "]", std::string(key) == "topics", out);
    for (auto it = out.end() - static_cast<std::ptrdiff_t>(list.size()); it != out.end(); ++it)
      it->generated = generated;
  }
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string() + ": cannot read taxonomy file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ParseFile(const std::string& file, const std::string& contents, bool generated, std::vector<TaxonomyEntity>& out) {
  YAML::Node root;
  try {
    root = YAML::Load(contents);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!root || root.IsNull()) return;
  if (!root.IsMap()) Fail(file, root, "", "expected a mapping with \"entities\" and/or \"topics\"");
  try {
    ParseRoot(file, root, generated, out);
  } catch (const YAML::Exception& e) {  // a conversion the checks above did not foresee
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

std::vector<fs::path> YamlFiles(const std::string& dir, const char* what) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw ConfigError(dir + ": " + what + " is not a directory");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  if (ec) throw ConfigError(dir + ": cannot list " + what + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

void ParseTaggingConfig(ConfigNode& node, TaggingConfig& out) {
  out.taxonomy_dir = node.String("taxonomy_dir", out.taxonomy_dir);
  out.generated_dir = node.String("generated_dir", out.generated_dir);
  if (!out.generated_dir.empty() && fs::path(out.generated_dir).is_relative()) {
    out.generated_dir = (fs::path(node.file()).parent_path() / out.generated_dir).lexically_normal().string();
  }
  out.max_mentions_per_tag = node.Int("max_mentions_per_tag", out.max_mentions_per_tag, 1, 10000);
  node.Done();
}

std::string TaxonomyTypeOfId(const std::string& id) {
  static const std::map<std::string, std::string, std::less<>> kTypes{
      {"org", "organization"}, {"person", "person"}, {"country", "country"}, {"place", "place"}, {"topic", "topic"}};
  const auto slash = id.find('/');
  if (slash == std::string::npos) return {};
  const auto it = kTypes.find(id.substr(0, slash));
  return it == kTypes.end() ? std::string() : it->second;
}

Taxonomy LoadTaxonomy(const std::string& dir, const std::string& generated_dir) {
  std::vector<fs::path> paths = YamlFiles(dir, "tagging.taxonomy_dir");
  const size_t hand_written = paths.size();
  if (!generated_dir.empty()) {
    const auto generated = YamlFiles(generated_dir, "tagging.generated_dir");
    paths.insert(paths.end(), generated.begin(), generated.end());
  }
  if (paths.empty()) throw ConfigError(dir + ": no *.yaml taxonomy files");
  std::vector<TaxonomyFile> files;
  for (size_t i = 0; i < paths.size(); ++i) files.push_back({paths[i].string(), ReadFile(paths[i]), i >= hand_written});
  return ParseTaxonomy(files);
}

Taxonomy ParseTaxonomy(const std::vector<TaxonomyFile>& files) {
  Taxonomy taxonomy;
  if (files.empty()) throw ConfigError("no taxonomy files");
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a over names and contents
  auto mix = [&hash](std::string_view s) {
    for (unsigned char c : s) {
      hash ^= c;
      hash *= 0x100000001b3ULL;
    }
  };
  for (const TaxonomyFile& f : files) {
    ParseFile(f.path, f.contents, f.generated, taxonomy.entities);
    taxonomy.files.push_back(f.path);
    mix(fs::path(f.path).filename().string());
    mix(f.contents);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  taxonomy.version = hex;

  std::map<std::string, const TaxonomyEntity*, std::less<>> by_id;
  for (const auto& e : taxonomy.entities) {
    const auto [it, inserted] = by_id.emplace(e.id, &e);
    if (!inserted)
      throw ConfigError(e.file + ": " + e.id + ": duplicate id (first defined in " + it->second->file + ")");
  }
  for (const auto& e : taxonomy.entities) {
    if (e.parent.empty()) continue;
    if (!by_id.count(e.parent)) throw ConfigError(e.file + ": " + e.id + ": unknown parent \"" + e.parent + "\"");
    std::set<std::string> seen{e.id};
    for (const TaxonomyEntity* p = by_id[e.parent]; p && !p->parent.empty(); p = by_id[p->parent]) {
      if (!seen.insert(p->id).second) throw ConfigError(e.file + ": " + e.id + ": parent cycle through " + p->id);
      if (!by_id.count(p->parent)) break;
    }
  }
  return taxonomy;
}

}  // namespace ingestd
