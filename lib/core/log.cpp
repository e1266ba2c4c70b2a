#include "core/log.hpp"

#include <unistd.h>

#include <cstdio>
#include <mutex>

namespace xr::log {
namespace {
std::string g_tool = "xr";
Level g_level = Level::kNormal;
std::mutex g_mutex;

void emit(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}
}  // namespace

void set_tool_name(const std::string& name) { g_tool = name; }
const std::string& tool_name() { return g_tool; }
void set_level(Level level) { g_level = level; }
Level level() { return g_level; }

void info(const std::string& msg) {
  if (g_level >= Level::kNormal) emit(g_tool + ": " + msg);
}
void debug(const std::string& msg) {
  if (g_level >= Level::kVerbose) emit(g_tool + ": " + msg);
}
void warn(const std::string& msg) { emit(g_tool + ": warning: " + msg); }
void error(const std::string& msg) { emit(g_tool + ": error: " + msg); }

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total),
      tty_(isatty(STDERR_FILENO) && g_level >= Level::kNormal),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  if (!finished_ && tty_) {
    std::lock_guard<std::mutex> lock(g_mutex);
    std::fprintf(stderr, "\n");
  }
}

void Progress::advance(int64_t n) {
  const int64_t done = done_.fetch_add(n) + n;
  if (!tty_) return;
  const int64_t now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
  int64_t last = last_draw_ns_.load();
  // One thread wins the right to redraw every 100 ms; the others return at once.
  if ((now_ns - last > 100'000'000 || done == total_) && last_draw_ns_.compare_exchange_strong(last, now_ns)) {
    draw(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (g_level < Level::kNormal) return;
  draw(true);
}

void Progress::clear() {
  if (finished_) return;
  finished_ = true;
  if (!tty_) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

void Progress::draw(bool final_line) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int64_t done = done_.load();
  double rate = secs > 0 ? done / secs : 0.0;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %s %lld/%lld (%.1f/s, %.1f s)", g_tool.c_str(), label_.c_str(),
                static_cast<long long>(done), static_cast<long long>(total_), rate, secs);
  std::lock_guard<std::mutex> lock(g_mutex);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", buf, final_line ? "\n" : "");
  } else if (final_line) {
    std::fprintf(stderr, "%s\n", buf);
  }
  std::fflush(stderr);
}

}  // namespace xr::log
