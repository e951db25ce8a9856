// The subcommands of the ingestd binary, one file each (cmd_*.cc).
#pragma once

#include <boost/program_options.hpp>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"

namespace ingestd {

using Args = std::vector<std::string>;

int CheckConfigCommand(const Args& args);
int ReplayCommand(const Args& args);
int RunCommand(const Args& args);
int EmbeddedBrokerCommand(const Args& args);

// --config FILE and repeatable --set key.path=value, shared by every command.
struct ConfigOptions {
  std::string file;
  std::vector<std::string> overrides;
  void Add(boost::program_options::options_description& desc);
  // Loads the config; on error prints it to stderr and returns null.
  [[nodiscard]] std::shared_ptr<const Config> Load() const;
};

// Parses args against desc; prints usage and returns false on --help or error
// (with *exit_code set).
bool ParseArgs(const Args& args, const std::string& usage, boost::program_options::options_description& desc,
               boost::program_options::variables_map& vm, int* exit_code);

}  // namespace ingestd
