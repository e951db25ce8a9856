// `ingestd embedded-broker`: librdkafka's mock cluster as a process, for local
// development and tests. Prints the bootstrap address as the first line of stdout,
// then runs until SIGTERM/SIGINT. Test hooks arrive one per line on stdin (see
// EmbeddedBroker::Command) and are answered on stdout.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "daemon/commands.h"
#include "daemon/embedded_broker.h"

namespace ingestd {

int EmbeddedBrokerCommand(const Args& args) {
  namespace po = boost::program_options;
  int partitions = 4;
  int brokers = 1;
  bool exit_on_eof = false;
  std::string topics = "articles.raw,articles.enriched,articles.duplicates,articles.dead-letter,ingestd.dedupe-index";
  po::options_description desc("embedded-broker options");
  desc.add_options()("partitions,p", po::value<int>(&partitions)->default_value(partitions), "partitions per topic")(
      "topics,t", po::value<std::string>(&topics)->default_value(topics), "topics to create, comma-separated")(
      "brokers", po::value<int>(&brokers)->default_value(brokers), "brokers in the cluster")(
      "exit-on-stdin-eof", po::bool_switch(&exit_on_eof),
      "exit when stdin closes (for a parent that feeds test hooks: if it dies, so does the broker)");
  po::variables_map vm;
  int code = 0;
  if (!ParseArgs(args,
                 "usage: ingestd embedded-broker [--partitions N] [--topics a,b,c] [--brokers N] "
                 "[--exit-on-stdin-eof]",
                 desc, vm, &code)) {
    return code;
  }
  std::vector<std::string> names;
  std::istringstream in(topics);
  for (std::string t; std::getline(in, t, ',');) {
    if (!t.empty()) names.push_back(t);
  }
  if (partitions < 1 || brokers < 1) {
    std::cerr << "ingestd: embedded-broker: --partitions and --brokers must be at least 1\n";
    return 2;
  }

  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);  // before librdkafka's threads start
  try {
    EmbeddedBroker broker(brokers, partitions, names);
    std::cout << broker.bootstrap() << std::endl;
    std::cerr << "embedded broker: " << brokers << " broker(s), topics " << topics << " with " << partitions
              << " partitions, at " << broker.bootstrap() << "\n";
    std::thread commands([&broker, &io, exit_on_eof] {
      for (std::string line; std::getline(std::cin, line);) {
        if (line.empty()) continue;
        const std::string answer = broker.Command(line);
        std::cout << answer << std::endl;
      }
      if (exit_on_eof) {
        std::cerr << "embedded broker: stdin closed; exiting\n";
        io.stop();
      }
    });
    commands.detach();  // blocked in getline until stdin closes; the process exit ends it
    signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "ingestd: " << e.what() << "\n";
    return 1;
  }
  std::cout.flush();
  std::_Exit(0);  // the command thread may still be reading stdin
}

}  // namespace ingestd
