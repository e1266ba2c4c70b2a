// The resume state of a gan-train run folder (resume.safetensors, with a readable
// copy of its counters in resume.json): written with every snapshot, read by
// gan-train --resume to continue exactly where that snapshot left the run.
#pragma once
#include <string>
#include <vector>

#include "gan/snapshot.hpp"
#include "gan/train_state.hpp"

namespace xr::gan {

// Writes run_dir/resume.safetensors: the three networks, both optimisers, ADA's and
// the path length's state, the counters, and the sizes stats.jsonl and metrics.jsonl
// had then. `info` is the snapshot's metadata.
void save_resume(const std::string& run_dir, TrainState& s, const SnapshotInfo& info);

// Restores `s` (networks and optimisers built for `net`) from run_dir's resume state
// and cuts stats.jsonl and metrics.jsonl back to their sizes at that snapshot (the
// lines after it describe training the resume will redo). kNoInput when missing,
// kDataErr when it is not a resume state or its architecture or classes differ.
void load_resume(const std::string& run_dir, TrainState& s, const NetConfig& net,
                 const std::vector<std::string>& classes);

// Empties run_dir's stats.jsonl and metrics.jsonl: a run killed before its first
// snapshot starts again.
void clear_run_logs(const std::string& run_dir);

}  // namespace xr::gan
