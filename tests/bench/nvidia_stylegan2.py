#!/usr/bin/env python3
"""NVIDIA's official StyleGAN2-ADA (github.com/NVlabs/stylegan2-ada-pytorch) timed on
the same data and settings as gan-train, for scripts/bench-gan-gpu.sh. Its code is
not copied here: `prepare` patches a copy of the published repository where current
PyTorch needs it, and `train` drives its own train.py / training_loop.py.

  nvidia_stylegan2.py prepare SRC DST        copy SRC to DST, apply PATCHES; prints them as JSON
  nvidia_stylegan2.py dataset DATA OUT       DATA/<class>/*.png -> OUT with dataset.json labels
  nvidia_stylegan2.py train REPO DATASET RUN [--kimg K] [--tick T] [--fp32] [--check]
  nvidia_stylegan2.py summary RUN [MEM_LOG]  JSON: median sec/kimg of the ticks after the first, ...

train uses the reference's --cfg auto at 128x128 (cbase 16384, cmax 512, 2 mapping
layers, minibatch-std group 4, fp16 in the 4 highest-resolution blocks, conv clamp
256, TF32 off), --cond 1, --batch 32, --gamma 1.024, ADA target 0.6, 'bgc'; only the
tick length and the snapshots (none) differ from train.py's. --check builds the
options and reads one image through the reference's dataset class, without training
(it runs without CUDA, and with --stub-missing without click, requests and psutil).
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import types

# (name, file, text in the published code, replacement). Each must match exactly once.
PATCHES = [
    ("grid_sample_gradfix: use the custom op on every PyTorch, not only 1.7-1.9 (without it "
     "R1 through the augmentation fails: derivative for aten::grid_sampler_2d_backward is not implemented)",
     "torch_utils/ops/grid_sample_gradfix.py",
     "    if any(torch.__version__.startswith(x) for x in ['1.7.', '1.8.', '1.9']):\n        return True\n",
     "    return True  # patched by xr-toolkit's bench: the op below works on current PyTorch\n"),
    ("grid_sample_gradfix: call aten::grid_sampler_2d_backward through torch.ops with its output_mask "
     "argument (PyTorch >= 1.10; _jit_get_operation now returns a pair)",
     "torch_utils/ops/grid_sample_gradfix.py",
     "        op = torch._C._jit_get_operation('aten::grid_sampler_2d_backward')\n"
     "        grad_input, grad_grid = op(grad_output, input, grid, 0, 0, False)\n",
     "        grad_input, grad_grid = torch.ops.aten.grid_sampler_2d_backward(grad_output, input, grid, 0, 0, False,\n"
     "                                                                        [True, True])  # patched\n"),
]

# Left as published, with the reason (reported beside the timing).
UNPATCHED = [
    "conv2d_gradfix: falls back to torch.nn.functional.conv2d with a warning on PyTorch > 1.9 (its custom op "
    "calls aten::cudnn_convolution_backward_weight, removed in PyTorch 1.11); results are the same",
    "bias_act and upfirdn2d CUDA plugins: compiled at first use with the machine's nvcc; if that fails the "
    "reference falls back to its slow reference ops with a warning (the log says which)",
]


def prepare(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    applied = []
    for name, rel, old, new in PATCHES:
        path = os.path.join(dst, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if text.count(old) != 1:
            sys.exit(f"nvidia_stylegan2: {path}: the text to patch ({name.split(':')[0]}) is not there once")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new))
        applied.append(name)
    commit_file = os.path.join(src, "COMMIT")
    commit = open(commit_file).read().strip() if os.path.exists(commit_file) else "unknown"
    print(json.dumps({"commit": commit, "patches": applied, "unpatched": UNPATCHED}))


def class_names(data):
    listed = os.path.join(data, "classes.txt")
    if os.path.exists(listed):
        return [l.rstrip("\n") for l in open(listed, encoding="utf-8") if l.strip()]
    return sorted(d for d in os.listdir(data) if os.path.isdir(os.path.join(data, d)))


def dataset(data, out):
    """The reference reads labels from dataset.json: [[relative path, class index], ...]."""
    if os.path.exists(out):
        shutil.rmtree(out)
    labels = []
    for k, cls in enumerate(class_names(data)):
        os.makedirs(os.path.join(out, cls))
        for name in sorted(os.listdir(os.path.join(data, cls))):
            if name.lower().endswith(".png"):
                shutil.copyfile(os.path.join(data, cls, name), os.path.join(out, cls, name))
                labels.append([f"{cls}/{name}", k])
    with open(os.path.join(out, "dataset.json"), "w") as f:
        json.dump({"labels": labels}, f)
    print(json.dumps({"images": len(labels), "classes": class_names(data)}))


def stub_missing_modules():
    """Stand-ins for the reference's imports that a dry run on a CPU machine may lack."""
    try:
        import click  # noqa: F401
    except ImportError:
        click = types.ModuleType("click")
        passthrough = lambda *a, **k: (lambda f: f)  # noqa: E731
        click.command = click.option = passthrough
        click.pass_context = lambda f: f
        click.ParamType = object
        click.Choice = lambda *a, **k: None
        click.BadParameter = ValueError
        sys.modules["click"] = click
    for name in ("requests", "psutil"):
        try:
            __import__(name)
        except ImportError:
            sys.modules[name] = types.ModuleType(name)


def train(repo, data, run, kimg, tick, fp32, check, seed):
    sys.path.insert(0, repo)
    import train as nv_train  # the reference's train.py
    import dnnlib
    _, args = nv_train.setup_training_loop_kwargs(
        gpus=1, snap=None, metrics=[], seed=seed, data=data, cond=True, cfg="auto", gamma=1.024,
        kimg=max(1, int(round(kimg))), batch=32, aug="ada", target=0.6, fp32=fp32)
    args.total_kimg = kimg
    args.kimg_per_tick = tick
    args.image_snapshot_ticks = args.network_snapshot_ticks = None
    args.run_dir = run
    summary = {
        "resolution": args.training_set_kwargs.resolution, "batch": args.batch_size,
        "cbase": args.G_kwargs.synthesis_kwargs.channel_base, "cmax": args.G_kwargs.synthesis_kwargs.channel_max,
        "map": args.G_kwargs.mapping_kwargs.num_layers, "mbstd": args.D_kwargs.epilogue_kwargs.mbstd_group_size,
        "num_fp16_res": args.G_kwargs.synthesis_kwargs.num_fp16_res, "conv_clamp": args.G_kwargs.synthesis_kwargs.conv_clamp,
        "gamma": args.loss_kwargs.r1_gamma, "ada_target": args.ada_target, "allow_tf32": args.get("allow_tf32", False),  # training_loop default
        "ema_kimg": args.ema_kimg, "lr": args.G_opt_kwargs.lr, "kimg": kimg, "tick": tick,
    }
    if check:
        dset = dnnlib.util.construct_class_by_name(**args.training_set_kwargs)
        image, label = dset[0]
        summary.update(images=len(dset), image_shape=list(image.shape), label=[float(v) for v in label])
        summary["r1_through_augment"] = r1_through_augment(args, image)
        print(json.dumps(summary))
        return
    os.makedirs(run, exist_ok=True)
    with open(os.path.join(run, "bench-options.json"), "w") as f:
        json.dump(summary, f)
    from torch_utils import training_stats
    from training import training_loop
    dnnlib.util.Logger(file_name=os.path.join(run, "log.txt"), file_mode="a", should_flush=True)
    training_stats.init_multiprocessing(rank=0, sync_device=None)
    training_loop.training_loop(rank=0, **args)


def r1_through_augment(args, image):
    """The double backward the grid_sample patches exist for, on the CPU: the norm of
    d/dx || d sum(aug(x)) / dx ||^2 through the reference's 'bgc' pipeline at p = 0.5."""
    import torch
    from torch_utils.ops import grid_sample_gradfix
    grid_sample_gradfix.enabled = True  # as training_loop sets it
    pipe = dnnlib_construct(args.augment_kwargs)
    pipe.p.copy_(torch.as_tensor(0.5))
    x = (torch.as_tensor(image, dtype=torch.float32).unsqueeze(0).repeat(2, 1, 1, 1) / 127.5 - 1).requires_grad_(True)
    grad = torch.autograd.grad(pipe(x).square().sum(), [x], create_graph=True)[0]
    (grad2,) = torch.autograd.grad(grad.square().sum(), [x])
    return float(grad2.norm())


def dnnlib_construct(kwargs):
    import dnnlib
    return dnnlib.util.construct_class_by_name(**kwargs)


def summary(run, mem_log=None):
    ticks = [json.loads(l) for l in open(os.path.join(run, "stats.jsonl"))]
    steady = [t["Timing/sec_per_kimg"]["mean"] for t in ticks[1:]] or [ticks[-1]["Timing/sec_per_kimg"]["mean"]]
    log = open(os.path.join(run, "log.txt"), errors="replace").read() if os.path.exists(os.path.join(run, "log.txt")) else ""
    plugins = {name: ("failed: slow reference ops" if f"Failed to build CUDA kernels for {name}" in log else
                      "compiled" if f'plugin "{name}_plugin"... Done' in log else "unknown")
               for name in ("bias_act", "upfirdn2d")}
    print(json.dumps({
        "sec_per_kimg": statistics.median(steady), "min": min(steady), "max": max(steady), "ticks": len(steady),
        "kimg": ticks[-1]["Progress/kimg"]["mean"],
        "peak_gpu_mib": peak_mib(mem_log),
        "peak_gpu_mem_gb": max(t.get("Resources/peak_gpu_mem_gb", {}).get("mean", 0) for t in ticks),
        "augment_p": ticks[-1].get("Progress/augment", {}).get("mean"),
        "plugins": plugins,
        "conv2d_gradfix_fallback": "conv2d_gradfix not supported" in log,
    }))


def peak_mib(log):
    """The largest nvidia-smi memory.used sample (MiB), as for gan-train's runs."""
    try:
        values = [int(v) for v in open(log).read().split() if v.isdigit()]
    except (OSError, TypeError):
        return None
    return max(values) if values else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("src")
    p.add_argument("dst")
    p = sub.add_parser("dataset")
    p.add_argument("data")
    p.add_argument("out")
    p = sub.add_parser("train")
    p.add_argument("repo")
    p.add_argument("data")
    p.add_argument("run")
    p.add_argument("--kimg", type=float, default=2)
    p.add_argument("--tick", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fp32", action="store_true", help="the reference's --fp32 (no fp16 blocks, no clamp)")
    p.add_argument("--check", action="store_true")
    p.add_argument("--stub-missing", action="store_true")
    p = sub.add_parser("summary")
    p.add_argument("run")
    p.add_argument("mem_log", nargs="?", help="nvidia-smi memory.used samples taken during the run")
    a = ap.parse_args()
    if a.cmd == "prepare":
        prepare(a.src, a.dst)
    elif a.cmd == "dataset":
        dataset(a.data, a.out)
    elif a.cmd == "train":
        if a.stub_missing:
            stub_missing_modules()
        train(a.repo, a.data, a.run, a.kimg, a.tick, a.fp32, a.check, a.seed)
    else:
        summary(a.run, a.mem_log)


if __name__ == "__main__":
    main()
