// Diagnostics on stderr: one-line messages prefixed with the tool name, and a
// progress bar that draws only when stderr is a terminal. stdout is never used here.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace xr::log {

enum class Level { kQuiet = 0, kNormal = 1, kVerbose = 2 };

void set_tool_name(const std::string& name);
const std::string& tool_name();
void set_level(Level level);
Level level();

void info(const std::string& msg);     // shown unless --quiet
void debug(const std::string& msg);    // shown with --verbose
void warn(const std::string& msg);     // always shown: "tool: warning: msg"
void error(const std::string& msg);    // always shown: "tool: error: msg"

// Redraws "label  done/total  rate/s" in place on a terminal; elsewhere it stays
// silent and `finish` prints one summary line (unless --quiet). advance() may be
// called from several threads at once.
class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  void advance(int64_t n = 1);
  void finish();
  // Ends without a summary: the terminal line is erased (for a caller that prints
  // its own line next, as gan-train does at the end of each tick).
  void clear();

 private:
  void draw(bool final_line);
  std::string label_;
  int64_t total_;
  std::atomic<int64_t> done_{0};
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> last_draw_ns_{0};  // since start_, so it fits an atomic
};

}  // namespace xr::log
