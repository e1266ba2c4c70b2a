#!/usr/bin/env python3
"""PyTorch eager baselines for fid-kid and inc3-train, timed by scripts/bench-gan-gpu.sh
beside the toolkit's tools on the same machine, device and images. Each does the
tool's work the way a PyTorch user would write it:

  fid-kid REAL FAKE     PNGs (PIL) -> uint8 on the device -> bilinear resize to --size,
                        ImageNet normalisation -> torchvision Inception-v3 (random He-normal
                        weights, like fid-kid --features random) pool features, batch 32,
                        no_grad -> per class FID (pytorch-fid's scipy sqrtm) and KID
                        (NVIDIA's numpy loop, 100 subsets of at most 1000)
  inc3-train TRAIN VAL  torchvision Inception-v3 (random init, like inc3-train --weights none)
                        with the paper's head (Dense 10 ELU, Dense 20 ELU, softmax), Keras
                        input scaling, RMSprop (lr 1e-3, rho 0.9, eps 1e-7), cross-entropy,
                        batch 32, --epochs epochs, each followed by a validation pass

Prints one JSON object: wall seconds of the parts and of the whole (process start
excluded; the bench times the whole process too).
"""
import argparse
import json
import os
import sys
import time

T0 = time.perf_counter()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402


def class_names(root):
    listed = os.path.join(root, "classes.txt")
    if os.path.exists(listed):
        return [l.rstrip("\n") for l in open(listed, encoding="utf-8") if l.strip()]
    return sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))


def load_folder(root, classes=None):
    classes = classes or class_names(root)
    images, labels = [], []
    for k, cls in enumerate(classes):
        folder = os.path.join(root, cls)
        for name in sorted(os.listdir(folder)):
            if name.lower().endswith(".png"):
                images.append(np.asarray(Image.open(os.path.join(folder, name)).convert("L")))
                labels.append(k)
    return torch.from_numpy(np.stack(images)).unsqueeze(1), torch.tensor(labels), classes


def load_two(first, second):
    """Both folders, the second in the first's class order, and the seconds it took."""
    t = time.perf_counter()
    x1, y1, classes = load_folder(first)
    x2, y2, _ = load_folder(second, classes)
    return x1, y1, x2, y2, classes, time.perf_counter() - t


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def he_normal_inception():
    model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 4:
                torch.nn.init.kaiming_normal_(p, nonlinearity="relu")
    model.fc = torch.nn.Identity()
    return model


def fid_kid(a):
    from bench_metrics_reference import fid_pytorch_fid, kid_nvidia
    device = torch.device(a.device)
    real, real_labels, fake, fake_labels, classes, load_s = load_two(a.real, a.fake)
    torch.manual_seed(0)
    model = he_normal_inception().to(device).eval()
    mean = torch.tensor([0.485, 0.456, 0.406], device=device).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225], device=device).view(1, 3, 1, 1)

    def features(pixels):
        out = []
        with torch.no_grad():
            for i in range(0, len(pixels), a.batch):
                x = pixels[i:i + a.batch].to(device).float().expand(-1, 3, -1, -1) / 255.0
                x = torch.nn.functional.interpolate(x, size=(a.size, a.size), mode="bilinear", align_corners=False)
                out.append(model((x - mean) / std).double().cpu())
        return torch.cat(out).numpy()

    sync(device)
    t = time.perf_counter()
    fr, ff = features(real), features(fake)
    sync(device)
    features_s = time.perf_counter() - t
    t = time.perf_counter()
    per_class = {}
    for k, cls in enumerate(classes):
        x, y = fr[real_labels.numpy() == k], ff[fake_labels.numpy() == k]
        per_class[cls] = {"fid": float(fid_pytorch_fid(x, y)), "kid": float(kid_nvidia(x, y, 100, 1000))}
    metrics_s = time.perf_counter() - t
    print(json.dumps({"images": len(real) + len(fake), "load_s": load_s, "features_s": features_s,
                      "metrics_s": metrics_s, "total_s": time.perf_counter() - T0, "torch": torch.__version__,
                      "device": str(device), "classes": per_class}))


def inc3_train(a):
    device = torch.device(a.device)
    train_x, train_y, val_x, val_y, classes, load_s = load_two(a.train, a.val)
    torch.manual_seed(0)
    head = torch.nn.Sequential(torch.nn.Linear(2048, 10), torch.nn.ELU(), torch.nn.Linear(10, 20), torch.nn.ELU(),
                               torch.nn.Linear(20, len(classes)))
    model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True)
    model.fc = head
    model = model.to(device)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()

    def prepare(pixels):
        x = pixels.to(device).float().expand(-1, 3, -1, -1)
        if x.shape[-1] != a.size:
            x = torch.nn.functional.interpolate(x, size=(a.size, a.size), mode="bilinear", align_corners=False)
        return x / 127.5 - 1.0

    epochs = []
    for epoch in range(a.epochs):
        sync(device)
        t = time.perf_counter()
        model.train()
        order = torch.randperm(len(train_x))
        for i in range(0, len(order), a.batch):
            idx = order[i:i + a.batch]
            if len(idx) < 2:
                continue  # BatchNorm needs two samples in training mode
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(prepare(train_x[idx])), train_y[idx].to(device))
            loss.backward()
            opt.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(val_x), a.batch):
                pred = model(prepare(val_x[i:i + a.batch])).argmax(1).cpu()
                correct += int((pred == val_y[i:i + a.batch]).sum())
        sync(device)
        epochs.append({"seconds": time.perf_counter() - t, "loss": float(loss), "val_accuracy": correct / len(val_x)})
    print(json.dumps({"train_images": len(train_x), "val_images": len(val_x), "load_s": load_s, "epochs": epochs,
                      "total_s": time.perf_counter() - T0, "torch": torch.__version__, "device": str(device)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("fid-kid")
    p.add_argument("real")
    p.add_argument("fake")
    p.add_argument("--size", type=int, default=299)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--device", default="cuda")
    p = sub.add_parser("inc3-train")
    p.add_argument("train")
    p.add_argument("val")
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--device", default="cuda")
    p.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if getattr(a, "threads", 0):
        torch.set_num_threads(a.threads)
    fid_kid(a) if a.cmd == "fid-kid" else inc3_train(a)


if __name__ == "__main__":
    main()
