// `ingestd replay`: the daemon's stage chain over JSON Lines files.
//
// Every input line lands in exactly one output: OUT (enriched, and duplicates when
// no DUP file is given), DUP, or DLQ (dead letters with stage, reason, message,
// line number and the raw input). Progress and a summary go to stderr.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "daemon/processor.h"

namespace ingestd {

struct ReplayOptions {
  std::string input = "-";   // "-" is stdin
  std::string output = "-";  // "-" is stdout
  std::string duplicates;    // empty: duplicates go to output
  std::string dead_letters;  // empty: dead letters go to stderr as JSON lines
  bool progress = true;
};

struct ReplaySummary {
  int64_t records = 0;
  int64_t enriched = 0;
  int64_t duplicates = 0;
  int64_t dead_letters = 0;
  int64_t bytes = 0;
  double seconds = 0;
};

// Throws std::runtime_error when a file cannot be opened, or when two of the files
// (input and outputs) are the same file (`-` and /dev/null excepted).
ReplaySummary RunReplay(Processor& processor, const ReplayOptions& options, std::ostream& log);

}  // namespace ingestd
