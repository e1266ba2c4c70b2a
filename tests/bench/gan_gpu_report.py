#!/usr/bin/env python3
"""Summaries and the result table of scripts/bench-gan-gpu.sh (standard library only).

  gan_gpu_report.py gan-train RUN_DIR [GPU_MEM_LOG]   JSON summary of a gan-train run
  gan_gpu_report.py gtest REPORT.json                 JSON summary of a GoogleTest JSON report
  gan_gpu_report.py render WORK_DIR                   the Markdown table, from WORK_DIR/json/*.json
  gan_gpu_report.py benchmarks BENCHMARKS.md TABLE.md replaces the bench-gan-gpu section

sec/kimg is the median of the ticks after the first (tick 0 is one minibatch with
every phase, cuDNN's autotuning and the allocator's warm-up), for both codes.
"""
import glob
import json
import os
import re
import statistics
import sys

BEGIN, END = "<!-- bench-gan-gpu:begin -->", "<!-- bench-gan-gpu:end -->"


def peak_mib(log):
    try:
        values = [int(v) for v in open(log).read().split() if v.isdigit()]
    except OSError:
        return None
    return max(values) if values else None


def gan_train(run, mem_log=None):
    ticks = [json.loads(l) for l in open(os.path.join(run, "stats.jsonl")) if l.strip()]
    steady = [t["sec_per_kimg"] for t in ticks[1:] if t["sec_per_kimg"] > 0] or [ticks[-1]["sec_per_kimg"]]
    opts = json.load(open(os.path.join(run, "options.json")))["training"]
    last = ticks[-1]
    return {"sec_per_kimg": statistics.median(steady), "min": min(steady), "max": max(steady), "ticks": len(steady),
            "kimg": last["kimg"], "loss_g": last["loss_g"], "loss_d": last["loss_d"], "augment_p": last["augment_p"],
            "peak_rss_gb": max(t["peak_rss_gb"] for t in ticks), "peak_gpu_mib": peak_mib(mem_log) if mem_log else None,
            "precision": opts["precision"], "tf32": opts["tf32"], "device": last["device"]}


def gtest(report):
    r = json.load(open(report))
    cases, props = [], {}
    for suite in r.get("testsuites", []):
        for t in suite.get("testsuite", []):
            name = f"{suite['name']}.{t['name']}"
            failed = bool(t.get("failures"))
            skipped = t.get("result") == "SKIPPED" or t.get("status") == "NOTRUN"
            cases.append({"name": name, "status": "failed" if failed else "skipped" if skipped else "passed",
                          "failure": (t["failures"][0].get("failure", "")[:300] if failed else None)})
            for k, v in t.items():
                if k.endswith("_error"):
                    props[f"{name}:{k}"] = v
    count = {s: sum(c["status"] == s for c in cases) for s in ("passed", "skipped", "failed")}
    return {"count": count, "failed": [c for c in cases if c["status"] == "failed"],
            "cuda_cases": [c for c in cases if "cuda" in c["name"].lower()], "measured": props}


def load(work):
    out = {}
    for path in glob.glob(os.path.join(work, "json", "*.json")):
        try:
            out[os.path.basename(path)[:-5]] = json.load(open(path))
        except (OSError, ValueError) as e:
            out[os.path.basename(path)[:-5]] = {"error": f"unreadable ({e})"}
    return out


def fmt(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def render(work):
    j = load(work)
    env, stages = j.get("env", {}), j.get("stages", {})
    lines = []
    title = "gan-train on " + env.get("gpu", "?") + (" (DRY RUN on the CPU: no figure below is a GPU figure)"
                                                     if env.get("dry") else "")
    lines += [f"## {title}", ""]
    lines.append(f"- date: {env.get('date', '?')}; commit: {env.get('commit', '?')}; "
                 f"command: `{env.get('command', 'scripts/bench-gan-gpu.sh')}`")
    lines.append(f"- torch: {env.get('torch', '?')}; data: {env.get('data', '?')}")
    lines.append(f"- gan-train: {env.get('gan_settings', '?')}")
    nv = j.get("nvidia-prepare", {})
    nvs = j.get("nvidia-train", {})
    if nv:
        lines.append(f"- NVIDIA official: github.com/NVlabs/stylegan2-ada-pytorch at {nv.get('commit', '?')[:12]}, "
                     f"{env.get('nvidia_settings', '?')}")
        for p in nv.get("patches", []):
            lines.append(f"  - patched: {p}")
        for p in nv.get("unpatched", []):
            lines.append(f"  - as published: {p}")
        chk = j.get("nvidia-check")
        if chk:
            lines.append("  - checked without CUDA: its options (" + ", ".join(
                f"{k} {chk[k]}" for k in ("resolution", "batch", "cbase", "cmax", "map", "mbstd", "num_fp16_res",
                                          "conv_clamp", "gamma", "ada_target", "allow_tf32") if k in chk) +
                f"), its dataset class on these images ({chk.get('images')} images, shape {chk.get('image_shape')}), "
                f"R1's double backward through its patched augmentation (gradient norm {chk.get('r1_through_augment', 0):.4g})")
        if nvs.get("plugins"):
            lines.append("  - its CUDA plugins here: " + ", ".join(f"{k} {v}" for k, v in nvs["plugins"].items()))
    lines.append("")
    rows = []
    nv_sec = nvs.get("sec_per_kimg") if isinstance(nvs.get("sec_per_kimg"), float) else None
    for prec in env.get("precisions", []):
        r = j.get(f"gan-train-{prec}", {})
        st = stages.get(f"gan-train-{prec}", {}).get("status", "not run")
        if "sec_per_kimg" in r:
            ratio = f"{nv_sec / r['sec_per_kimg']:.2f}x" if nv_sec else "-"
            tf32 = " + TF32" if r.get("tf32") else ""
            rows.append(f"| gan-train | {r['precision']}{tf32} | {fmt(r['sec_per_kimg'])} | {fmt(r['min'])}-{fmt(r['max'])} "
                        f"| {r['ticks']} | {fmt(r['peak_gpu_mib'])} | {fmt(r['loss_g'], 3)} / {fmt(r['loss_d'], 3)} "
                        f"| {ratio} |")
        else:
            rows.append(f"| gan-train | {prec} | {st} | | | | | |")
    if nvs:
        if "sec_per_kimg" in nvs:
            rows.append(f"| NVIDIA official | fp16 blocks (its default) | {fmt(nvs['sec_per_kimg'])} | "
                        f"{fmt(nvs['min'])}-{fmt(nvs['max'])} | {nvs['ticks']} | "
                        f"{fmt(nvs.get('peak_gpu_mib'))} | | 1.00x |")
        else:
            rows.append(f"| NVIDIA official | fp16 | {stages.get('nvidia-train', {}).get('status', 'not run')} | | | | | |")
    if nvs.get("peak_gpu_mem_gb"):
        rows.append(f"| | | | | | (NVIDIA's own count: torch max allocated {nvs['peak_gpu_mem_gb']:.2f} GiB) | | |")
    lines += ["| code | precision | sec/kimg (median) | range | ticks | peak GPU MiB (nvidia-smi) | last loss G / D "
              "| NVIDIA / this |",
              "|---|---|---|---|---|---|---|---|"] + rows + [""]
    if not env.get("dry"):
        best = min((j[k]["sec_per_kimg"] for k in j if k.startswith("gan-train-") and "sec_per_kimg" in j[k]),
                   default=None)
        if best is not None:
            verdict = [f"fastest gan-train {best:.2f} sec/kimg: target <= 2.5 {'met' if best <= 2.5 else 'NOT met'}"]
            if nv_sec:
                verdict.append(f"{nv_sec / best:.2f}x NVIDIA's: target >= 7x {'met' if nv_sec / best >= 7 else 'NOT met'}")
            lines += ["Target (issue 14): " + "; ".join(verdict) + ".", ""]
    t = j.get("unit-tests", {})
    if t:
        c = t.get("count", {})
        lines += ["### Checks", "", "| check | result |", "|---|---|",
                  f"| test_gan_precision (CUDA cases skip without a device) | {c.get('passed', 0)} passed, "
                  f"{c.get('skipped', 0)} skipped, {c.get('failed', 0)} failed |"]
        for f in t.get("failed", []):
            lines.append(f"| FAILED {f['name']} | {f['failure'].splitlines()[0] if f['failure'] else ''} |")
        for k, v in sorted(t.get("measured", {}).items()):
            lines.append(f"| {k} | {v} |")
        lines.append("")
    tools = []
    for tool in ("fid-kid", "inc3-train"):
        ours, eager = j.get(f"{tool}-toolkit", {}), j.get(f"{tool}-eager", {})
        if ours or eager:
            a, b = ours.get("wall_s"), eager.get("wall_s")
            ratio = f"{b / a:.2f}x" if a and b else "-"
            tools.append(f"| {tool} | {ours.get('work', eager.get('work', ''))} | {fmt(a)} | {fmt(b)} | {ratio} |")
    if tools:
        lines += ["### fid-kid and inc3-train against PyTorch eager (whole process, same images and device)", "",
                  "| tool | work | this toolkit s | PyTorch eager s | eager / this |", "|---|---|---|---|---|"] + tools + [""]
    if stages:
        lines += ["### Stages", "", "| stage | status | seconds |", "|---|---|---|"]
        for name, s in stages.items():
            lines.append(f"| {name} | {s.get('status')} | {s.get('seconds')} |")
        lines.append("")
        lines.append(f"Budget: {env.get('used_s', '?')} s used of {env.get('budget_s', '?')} s. Logs: logs.tar.gz.")
    return "\n".join(lines) + "\n"


def benchmarks(path, table_path):
    text = open(path).read()
    table = open(table_path).read()
    if BEGIN not in text or END not in text:
        sys.exit(f"gan_gpu_report: {path}: no {BEGIN} ... {END} section")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    # BENCHMARKS.md carries the headline table only; gan-gpu.md has everything.
    keep = table.split("### Checks")[0].rstrip() + "\n\nDetails: [gan-gpu.md](tests/bench/results/gan-gpu.md).\n"
    keep = re.sub(r"^## ", "### ", keep, flags=re.M)
    open(path, "w").write(head + BEGIN + "\n" + keep + END + tail)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "gan-train":
        print(json.dumps(gan_train(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)))
    elif cmd == "gtest":
        print(json.dumps(gtest(sys.argv[2])))
    elif cmd == "render":
        sys.stdout.write(render(sys.argv[2]))
    elif cmd == "benchmarks":
        benchmarks(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
