#include "config/reader.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string_view>

namespace ingestd {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Nodes CheckDuplicateKeys visits at most. yaml-cpp expands aliases, so a few lines of
// anchors that each repeat the previous one twice make a tree of 2^n nodes (found by
// config_fuzz: out of memory within a second); a config file has a few hundred.
constexpr size_t kMaxYamlNodes = 10'000;

// Every mapping under `node` (through lists too): a key given twice is an error.
void CheckDuplicateKeys(const YAML::Node& node, const std::string& path, const std::string& name, size_t& visited) {
  if (++visited > kMaxYamlNodes) {
    throw ConfigError(name + ": more than " + std::to_string(kMaxYamlNodes) +
                      " YAML nodes once aliases are expanded (at " + (path.empty() ? "the top" : path) + ")");
  }
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      CheckDuplicateKeys(node[i], path + "[" + std::to_string(i) + "]", name, visited);
    }
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> first_line;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;  // ConfigNode rejects it where it is read
    const std::string& key = kv.first.Scalar();
    const std::string key_path = path.empty() ? key : path + "." + key;
    const int line = kv.first.Mark().line + 1;
    if (auto [it, added] = first_line.emplace(key, line); !added) {
      throw ConfigError(name + ": line " + std::to_string(line) + ": " + key_path + ": duplicate key (first at line " +
                        std::to_string(it->second) + ")");
    }
    CheckDuplicateKeys(kv.second, key_path, name, visited);
  }
}

// The line (from 1) where a second YAML document starts, or 0: content after a document
// marker (--- or ...) at the start of a line that follows content. Such a marker ends
// any scalar, block or quoted, so a line scan finds it; directives (%) and comments
// are not content.
int SecondDocumentLine(std::string_view yaml) {
  bool content = false;   // the first document has begun
  bool boundary = false;  // and a marker followed it
  int number = 0;
  for (size_t pos = 0; pos < yaml.size();) {
    const size_t eol = std::min(yaml.find('\n', pos), yaml.size());
    std::string_view line = yaml.substr(pos, eol - pos);
    pos = eol + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool marker =
        (line.starts_with("---") || line.starts_with("...")) && (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
    if (marker) {
      if (content) boundary = true;
      line.remove_prefix(3);  // "--- value" starts a document with content on its own line
    }
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#' || (!marker && line[0] == '%')) continue;
    if (boundary) return number;
    content = true;
  }
  return 0;
}

const char* TypeName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "null";
    default: return "nothing";
  }
}

}  // namespace

ConfigNode::ConfigNode(YAML::Node node, std::string path, std::shared_ptr<const std::string> file)
    : node_(std::move(node)), path_(std::move(path)), file_(std::move(file)) {
  if (node_ && !node_.IsNull() && !node_.IsMap()) {
    throw ConfigError(*file_ + ": " + (path_.empty() ? "<root>" : path_) + ": expected a mapping, got " +
                      TypeName(node_));
  }
}

std::string ConfigNode::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ConfigNode::Fail(std::string_view key, const std::string& what) const {
  throw ConfigError(*file_ + ": " + PathOf(key) + ": " + what);
}

bool ConfigNode::Has(std::string_view key) const {
  return node_ && node_.IsMap() && node_[std::string(key)].IsDefined() && !node_[std::string(key)].IsNull();
}

YAML::Node ConfigNode::Get(std::string_view key) {
  used_.emplace(key);
  if (!node_ || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node v = node_[std::string(key)];
  if (v.IsDefined() && v.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  return v;
}

std::string ConfigNode::Scalar(std::string_view key, const YAML::Node& value) const {
  if (!value.IsScalar()) Fail(key, std::string("expected a scalar value, got ") + TypeName(value));
  return SubstituteEnv(value.Scalar(), *file_ + ": " + PathOf(key));
}

std::string ConfigNode::String(std::string_view key, const std::string& def) {
  YAML::Node v = Get(key);
  if (!v.IsDefined()) return def;
  return Scalar(key, v);
}

std::string ConfigNode::FilePath(std::string_view key, const std::string& def) {
  const std::string value = String(key, def);
  if (value.empty()) return value;
  std::filesystem::path path(value);
  if (path.is_relative()) path = std::filesystem::path(*file_).parent_path() / path;
  return path.lexically_normal().string();
}

std::string ConfigNode::Enum(std::string_view key, const std::string& def,
                             std::initializer_list<std::string_view> allowed) {
  std::string s = String(key, def);
  for (auto a : allowed) {
    if (s == a) return s;
  }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  Fail(key, "expected one of " + list + ", got \"" + s + "\"");
}

int64_t ConfigNode::Int(std::string_view key, int64_t def, int64_t min, int64_t max) {
  YAML::Node v = Get(key);
  if (!v.IsDefined()) return def;
  const std::string s = Scalar(key, v);
  size_t used = 0;
  long long parsed = 0;
  try {
    parsed = std::stoll(s, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != s.size()) Fail(key, "expected an integer, got \"" + s + "\"");
  if (parsed < min || parsed > max) {
    Fail(key, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + s);
  }
  return parsed;
}

double ConfigNode::Double(std::string_view key, double def, double min, double max) {
  YAML::Node v = Get(key);
  if (!v.IsDefined()) return def;
  const std::string s = Scalar(key, v);
  size_t used = 0;
  double parsed = 0;
  try {
    parsed = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != s.size()) Fail(key, "expected a number, got \"" + s + "\"");
  if (parsed < min || parsed > max) {
    auto text = [](double v) {  // 0.5, not std::to_string's 0.500000
      std::ostringstream out;
      out << v;
      return out.str();
    };
    Fail(key, "expected a number from " + text(min) + " to " + text(max) + ", got " + s);
  }
  return parsed;
}

bool ConfigNode::Bool(std::string_view key, bool def) {
  YAML::Node v = Get(key);
  if (!v.IsDefined()) return def;
  const std::string s = Scalar(key, v);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  Fail(key, "expected true or false, got \"" + s + "\"");
}

std::vector<std::string> ConfigNode::StringList(std::string_view key, const std::vector<std::string>& def) {
  YAML::Node v = Get(key);
  if (!v.IsDefined()) return def;
  if (!v.IsSequence()) Fail(key, std::string("expected a list, got ") + TypeName(v));
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].IsScalar()) {
      Fail(std::string(key) + "[" + std::to_string(i) + "]", std::string("expected a scalar, got ") + TypeName(v[i]));
    }
    out.push_back(SubstituteEnv(v[i].Scalar(), *file_ + ": " + PathOf(key)));
  }
  return out;
}

std::map<std::string, std::string> ConfigNode::StringMap(std::string_view key) {
  YAML::Node v = Get(key);
  std::map<std::string, std::string> out;
  if (!v.IsDefined()) return out;
  if (!v.IsMap()) Fail(key, std::string("expected a mapping, got ") + TypeName(v));
  for (const auto& kv : v) {
    const std::string k = kv.first.as<std::string>();
    if (!kv.second.IsScalar()) Fail(std::string(key) + "." + k, "expected a scalar value");
    out[k] = SubstituteEnv(kv.second.Scalar(), *file_ + ": " + PathOf(key) + "." + k);
  }
  return out;
}

ConfigNode ConfigNode::Child(std::string_view key) { return ConfigNode(Get(key), PathOf(key), file_); }

void ConfigNode::Done() const {
  if (!node_ || !node_.IsMap()) return;
  for (const auto& kv : node_) {
    const std::string k = kv.first.as<std::string>();
    if (used_.count(k)) continue;
    std::string best;
    size_t best_d = std::numeric_limits<size_t>::max();
    std::string known;
    for (const auto& u : used_) {
      known += (known.empty() ? "" : ", ") + u;
      const size_t d = EditDistance(k, u);
      if (d < best_d) {
        best_d = d;
        best = u;
      }
    }
    std::string msg = "unknown key";
    if (!best.empty() && best_d <= std::max<size_t>(2, k.size() / 3)) {
      msg += " (did you mean \"" + best + "\"?)";
    }
    if (!known.empty()) msg += "; known keys here: " + known;
    Fail(k, msg);
  }
}

std::string SubstituteEnv(const std::string& value, const std::string& where) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t start = value.find("${", pos);
    if (start == std::string::npos) break;
    const size_t end = value.find('}', start);
    if (end == std::string::npos) throw ConfigError(where + ": unterminated ${ in \"" + value + "\"");
    out.append(value, pos, start - pos);
    std::string expr = value.substr(start + 2, end - start - 2);
    std::string def;
    bool has_def = false;
    if (auto d = expr.find(":-"); d != std::string::npos) {
      def = expr.substr(d + 2);
      expr.resize(d);
      has_def = true;
    }
    const char* env = std::getenv(expr.c_str());
    if (env && *env) {
      out += env;
    } else if (has_def) {
      out += def;
    } else {
      throw ConfigError(where + ": environment variable " + expr +
                        (env ? " is empty (write ${" + expr + ":-} to allow an empty value)" : " is not set"));
    }
    pos = end + 1;
  }
  out.append(value, pos, std::string::npos);
  return out;
}

YAML::Node LoadYamlDocument(const std::string& yaml, const std::string& name) {
  // yaml-cpp's LoadAll loops forever on some malformed text after the first document
  // (config_fuzz), so only the first is parsed and a second is found by its marker.
  if (const int line = SecondDocumentLine(yaml); line > 0) {
    throw ConfigError(name + ": line " + std::to_string(line) +
                      ": a second YAML document (after ---); a config file holds one");
  }
  YAML::Node document;
  try {
    document = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(name + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  size_t visited = 0;
  CheckDuplicateKeys(document, "", name, visited);
  return document;
}

void ApplyOverride(YAML::Node& root, const std::string& assignment, const std::vector<std::string>& flat_maps) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--set " + assignment + ": expected key.path=value");
  }
  const std::string path = assignment.substr(0, eq);
  const std::string raw = assignment.substr(eq + 1);
  YAML::Node value;
  try {
    value = YAML::Load(raw);
  } catch (const YAML::Exception& e) {
    throw ConfigError("--set " + path + ": cannot parse value: " + e.what());
  }
  if (!root || !root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  // Split on dots; "\." is a dot inside a segment (helm --set's escape; a lone
  // backslash stays). Once the segments so far are those of one of `flat_maps`, the
  // rest of the path is a single key.
  std::vector<std::vector<std::string>> flat_paths;
  for (const auto& m : flat_maps) {
    std::vector<std::string> segments(1);
    for (char c : m) {
      if (c == '.') {
        segments.emplace_back();
      } else {
        segments.back().push_back(c);
      }
    }
    flat_paths.push_back(std::move(segments));
  }
  std::vector<std::string> parts(1);
  bool flat = false;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size() && path[i + 1] == '.') {
      parts.back() += '.';
      ++i;
    } else if (path[i] == '.' && !flat) {
      flat = std::find(flat_paths.begin(), flat_paths.end(), parts) != flat_paths.end();
      parts.emplace_back();
    } else {
      parts.back() += path[i];
    }
  }
  std::vector<YAML::Node> chain{root};
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) throw ConfigError("--set " + path + ": empty key segment");
    YAML::Node next = chain.back()[parts[i]];
    if (!next.IsMap()) {
      chain.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next = chain.back()[parts[i]];
    }
    chain.push_back(next);
  }
  if (parts.back().empty()) throw ConfigError("--set " + path + ": empty key segment");
  chain.back()[parts.back()] = value;
}

}  // namespace ingestd
