// `ingestd run` and `ingestd embedded-broker`: the Kafka half is being built
// (issue 3); until it lands these commands say so and fail.
#include <iostream>

#include "daemon/commands.h"

namespace ingestd {

int RunCommand(const Args&) {
  std::cerr << "ingestd: run: the Kafka runtime is not part of this build yet\n";
  return 1;
}

int EmbeddedBrokerCommand(const Args&) {
  std::cerr << "ingestd: embedded-broker: not part of this build yet\n";
  return 1;
}

}  // namespace ingestd
