#include "daemon/replay.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace ingestd {
namespace {

class OutFile {
 public:
  explicit OutFile(const std::string& path) {
    if (path == "-") {
      stream_ = &std::cout;
    } else {
      file_ = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
      if (!*file_) throw std::runtime_error("cannot open " + path + " for writing");
      stream_ = file_.get();
    }
  }
  void WriteLine(const std::string& s) {
    stream_->write(s.data(), static_cast<std::streamsize>(s.size()));
    stream_->put('\n');
  }
  void Flush() {
    stream_->flush();
    if (!*stream_) throw std::runtime_error("write failed");
  }

 private:
  std::unique_ptr<std::ofstream> file_;
  std::ostream* stream_ = nullptr;
};

// Two streams writing one file interleave their buffers into broken lines, and an
// output opened on the input truncates it before it is read: every file named must
// be another file. `-` (stdin, stdout) and /dev/null may be named more than once.
void CheckDistinctFiles(const ReplayOptions& options) {
  namespace fs = std::filesystem;
  const std::pair<const char*, const std::string*> files[] = {{"--input", &options.input},
                                                              {"--output", &options.output},
                                                              {"--duplicates", &options.duplicates},
                                                              {"--dlq", &options.dead_letters}};
  auto same = [](const std::string& a, const std::string& b) {
    std::error_code ec, ea, eb;
    if (a == b || fs::equivalent(a, b, ec)) return true;  // both exist: hard links and symlinks too
    const fs::path ca = fs::weakly_canonical(a, ea);
    const fs::path cb = fs::weakly_canonical(b, eb);
    return !ea && !eb && ca == cb;
  };
  for (size_t i = 0; i < std::size(files); ++i) {
    for (size_t j = i + 1; j < std::size(files); ++j) {
      const std::string& a = *files[i].second;
      const std::string& b = *files[j].second;
      if (a.empty() || b.empty() || a == "-" || b == "-" || a == "/dev/null" || b == "/dev/null") continue;
      if (same(a, b)) {
        throw std::runtime_error(fmt::format(
            "{} and {} name the same file ({}): give each its own file{}", files[i].first, files[j].first, b,
            std::string_view(files[j].first) == "--duplicates" ? " (without --duplicates, duplicates go to --output)"
                                                               : ""));
      }
    }
  }
}

}  // namespace

ReplaySummary RunReplay(Processor& processor, const ReplayOptions& options, std::ostream& log) {
  CheckDistinctFiles(options);
  std::unique_ptr<std::ifstream> in_file;
  std::istream* in = &std::cin;
  if (options.input != "-") {
    in_file = std::make_unique<std::ifstream>(options.input, std::ios::binary);
    if (!*in_file) throw std::runtime_error("cannot open " + options.input);
    if (std::filesystem::is_directory(options.input)) throw std::runtime_error(options.input + " is a directory");
    in = in_file.get();
  }
  OutFile out(options.output);
  std::unique_ptr<OutFile> dup = options.duplicates.empty() ? nullptr : std::make_unique<OutFile>(options.duplicates);
  std::unique_ptr<OutFile> dlq =
      options.dead_letters.empty() ? nullptr : std::make_unique<OutFile>(options.dead_letters);

  ReplaySummary summary;
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  std::string line;
  while (std::getline(*in, line)) {
    ++summary.records;
    summary.bytes += static_cast<int64_t>(line.size());
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Processed p = processor.Process(line, nullptr);
    switch (p.output) {
      case Output::kEnriched:
        ++summary.enriched;
        out.WriteLine(p.value);
        break;
      case Output::kDuplicates:
        ++summary.duplicates;
        (dup ? *dup : out).WriteLine(p.value);
        break;
      case Output::kDeadLetter: {
        ++summary.dead_letters;
        const std::string dl = EncodeDeadLetterJson(p.dead_letter, line, summary.records, nullptr);
        if (dlq)
          dlq->WriteLine(dl);
        else
          log << dl << '\n';
        break;
      }
    }
    processor.Routed(p);
    const auto now = std::chrono::steady_clock::now();
    if (options.progress && now - last_progress >= std::chrono::seconds(2)) {
      last_progress = now;
      const double secs = std::chrono::duration<double>(now - start).count();
      log << fmt::format("replay: {} records ({} enriched, {} duplicates, {} dead letters), {:.0f} records/s\n",
                         summary.records, summary.enriched, summary.duplicates, summary.dead_letters,
                         static_cast<double>(summary.records) / secs);
    }
  }
  out.Flush();
  if (dup) dup->Flush();
  if (dlq) dlq->Flush();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = summary.seconds > 0 ? static_cast<double>(summary.records) / summary.seconds : 0;
  log << fmt::format(
      "replay: done: {} records, {} enriched, {} duplicates, {} dead letters in {:.2f} s ({:.0f} records/s, {:.1f} "
      "MB/s)\n",
      summary.records, summary.enriched, summary.duplicates, summary.dead_letters, summary.seconds, rate,
      summary.seconds > 0 ? static_cast<double>(summary.bytes) / 1e6 / summary.seconds : 0);
  return summary;
}

}  // namespace ingestd
