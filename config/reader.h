// Typed, validated access to one YAML mapping, with errors that name the file and
// the key path.
//
// Each ConfigNode records which keys were read; Done() rejects the keys nobody
// read (a misspelt key fails start-up instead of being ignored), suggesting the
// closest known key. Values may use ${VAR} or ${VAR:-default}, replaced from the
// environment. Only config/ includes yaml-cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ingestd {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConfigNode {
 public:
  ConfigNode(YAML::Node node, std::string path, std::shared_ptr<const std::string> file);

  [[nodiscard]] bool Has(std::string_view key) const;
  [[nodiscard]] std::string String(std::string_view key, const std::string& def);
  // A file path: a relative one is taken from the config file's directory (empty
  // stays empty, meaning none).
  [[nodiscard]] std::string FilePath(std::string_view key, const std::string& def);
  [[nodiscard]] std::string Enum(std::string_view key, const std::string& def,
                                 std::initializer_list<std::string_view> allowed);
  [[nodiscard]] int64_t Int(std::string_view key, int64_t def, int64_t min, int64_t max);
  [[nodiscard]] double Double(std::string_view key, double def, double min, double max);
  [[nodiscard]] bool Bool(std::string_view key, bool def);
  [[nodiscard]] std::vector<std::string> StringList(std::string_view key, const std::vector<std::string>& def);
  // A map of scalars kept as strings (librdkafka properties); values are
  // environment-substituted.
  [[nodiscard]] std::map<std::string, std::string> StringMap(std::string_view key);
  // A nested mapping; an absent key gives an empty one.
  [[nodiscard]] ConfigNode Child(std::string_view key);
  // Fails on every key of this mapping that was not read.
  void Done() const;

  [[noreturn]] void Fail(std::string_view key, const std::string& what) const;
  [[nodiscard]] std::string PathOf(std::string_view key) const;
  [[nodiscard]] const std::string& file() const { return *file_; }

 private:
  [[nodiscard]] YAML::Node Get(std::string_view key);
  [[nodiscard]] std::string Scalar(std::string_view key, const YAML::Node& value) const;

  YAML::Node node_;
  std::string path_;
  std::shared_ptr<const std::string> file_;
  std::set<std::string, std::less<>> used_;
};

// Replaces ${VAR} and ${VAR:-default}; without a default, a VAR unset or empty is an
// error (`${VAR:-}` allows an empty value).
[[nodiscard]] std::string SubstituteEnv(const std::string& value, const std::string& where);

// Parses YAML text holding one document (`name` stands in for the file in errors).
// Throws ConfigError, with the line, on a syntax error, on a second document (after
// `---`), and on a key given twice in one mapping (yaml-cpp would keep the first
// silently), naming its key path.
[[nodiscard]] YAML::Node LoadYamlDocument(const std::string& yaml, const std::string& name);

// Applies one "a.b.c=value" override to a YAML tree, as `helm --set` does; the
// value is parsed as a YAML scalar or flow sequence ("[a, b]"). As in helm, "\."
// is a dot inside a key ("kafka.producer.linger\.ms=50"); other backslashes are
// kept as they are (helm's "\\" is not an escape here). Below a path listed in
// `flat_maps` (maps keyed by names that hold dots, such as librdkafka properties),
// the rest of the path is one key: "kafka.producer.linger.ms=50" sets "linger.ms".
void ApplyOverride(YAML::Node& root, const std::string& assignment, const std::vector<std::string>& flat_maps = {});

}  // namespace ingestd
