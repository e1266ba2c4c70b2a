#!/usr/bin/python3
"""PyTorch baseline for bench_nn_inception: throughput (images/s) of Debian's
python3-torchvision inception_v3 pool features (fc replaced by Identity, eval mode)
on the CPU, batch 8, at 299x299 and 128x128, under no_grad, inference_mode, and
inference_mode + channels_last.

    /usr/bin/python3 tests/bench/bench_nn_torchvision.py [--threads N] [--seconds S]
Prints one line per case: size mode images_per_s images_per_cpu_s (images per second
of process CPU time, all threads: steadier than wall time on a loaded machine).
"""
import argparse
import time

import torch
import torchvision


def measure(fn, seconds):
    """Calls, wall seconds and process CPU seconds of a timed loop after a warm-up."""
    fn()  # warm-up: oneDNN picks its kernels on the first call
    n, start, cpu0 = 0, time.perf_counter(), time.process_time()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= 2:
            return n, elapsed, time.process_time() - cpu0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--batch", type=int, default=8)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
    model.fc = torch.nn.Identity()
    model.eval()
    print(f"# torch {torch.__version__} torchvision {torchvision.__version__} "
          f"threads {torch.get_num_threads()} batch {args.batch}")
    for size in (299, 128):
        x = torch.rand(args.batch, 3, size, size) * 2 - 1
        cases = []

        def nograd():
            with torch.no_grad():
                return model(x)

        def inference():
            with torch.inference_mode():
                return model(x)

        cases = [("nograd", nograd, False), ("inference_mode", inference, False),
                 ("inference_mode_channels_last", inference, True)]
        for name, fn, cl in cases:
            if cl:
                model.to(memory_format=torch.channels_last)
                x = x.contiguous(memory_format=torch.channels_last)
            n, elapsed, cpu = measure(fn, args.seconds)
            print(f"{size} {name} {n * args.batch / elapsed:.3f} {n * args.batch / cpu:.3f}",
                  flush=True)
            if cl:
                model.to(memory_format=torch.contiguous_format)
                x = x.contiguous()


if __name__ == "__main__":
    main()
