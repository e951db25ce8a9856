#include "daemon/commands.h"

#include <iostream>

#include "config/reader.h"

namespace po = boost::program_options;

namespace ingestd {

void ConfigOptions::Add(po::options_description& desc) {
  desc.add_options()("config,c", po::value<std::string>(&file)->required(), "config file (YAML)")(
      "set", po::value<std::vector<std::string>>(&overrides)->composing(),
      "override one key, e.g. --set kafka.brokers=host:9092 (repeatable)");
}

std::shared_ptr<const Config> ConfigOptions::Load() const {
  try {
    return LoadConfig(file, overrides);
  } catch (const ConfigError& e) {
    std::cerr << "ingestd: config error: " << e.what() << "\n";
  }
  return nullptr;
}

bool ParseArgs(const Args& args, const std::string& usage, po::options_description& desc, po::variables_map& vm,
               int* exit_code) {
  desc.add_options()("help,h", "show this help");
  try {
    // No positional arguments: a stray word (a path without its flag) is an error, not ignored.
    po::store(po::command_line_parser(args).options(desc).positional(po::positional_options_description()).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n" << desc << "\n";
      *exit_code = 0;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "ingestd: " << e.what() << "\n" << usage << "\n" << desc << "\n";
    *exit_code = 2;
    return false;
  }
  return true;
}

}  // namespace ingestd
