#!/usr/bin/python3
"""Baseline for bench_classify_train: PyTorch (Debian's torch 1.13 + torchvision)
Inception-v3 inference at 128x128, batch 32, on the CPU, the reference the issue
quotes (about 26 images/s on a 2-core machine). Prints images/s.

  /usr/bin/python3 tests/bench/classify_baseline.py [N_IMAGES] [THREADS]
"""
import sys
import time

import torch
import torchvision


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False).eval()
    x = torch.rand(n, 3, 128, 128) * 2 - 1
    with torch.no_grad():
        model(x[:32])  # warm-up
        start = time.perf_counter()
        for i in range(0, n, 32):
            model(x[i:i + 32])
        secs = time.perf_counter() - start
    print(f"pytorch {torch.__version__} inception_v3 128x128 batch 32: {n / secs:.1f} images/s ({n} images, {secs:.1f} s)")


if __name__ == "__main__":
    main()
