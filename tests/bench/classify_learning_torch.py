#!/usr/bin/python3
"""PyTorch side of the classifier learning benchmark (tests/bench/classify_learning.sh):
the protocol of `inc3-train --arch torchvision --runs 1` in plain PyTorch 1.13 +
torchvision 0.14 (Debian's python3-torch, python3-torchvision), on the same image
folders, so that the toolkit's learning can be set beside PyTorch's seed by seed.

    classify_learning_torch.py --train DIR --val DIR --test DIR --mode scratch|frozen
        --seed S [--epochs 5] [--lr 0.001] [--batch 32] [--threads 2]
        [--export-base FILE]

The protocol (as inc3-train's man page states it for the toolkit):
- torchvision's inception_v3(weights=None, aux_logits=False, init_weights=True) drawn
  after torch.manual_seed(S): truncated normal (std 0.1) convolutions, BatchNorm 1/0.
- The base's Mixed_7c map, no pooling, flattened channels-last (Keras' Flatten), then
  Dense 10 ELU -> Dense 20 ELU -> Dense k (Glorot-uniform kernels, zero biases).
- Input: 8-bit gray PNG, repeated to three channels, x/127.5 - 1; no resizing (the
  folders hold images at the network's input size).
- torch.optim.RMSprop(lr, alpha=0.9, eps=1e-7): PyTorch, like Keras, adds eps outside
  the square root and starts the mean square at zero. Cross-entropy, mean over the batch.
- Shuffled every epoch; a last batch of one image joins the batch before it (BatchNorm
  cannot train on one image of a 1x1 map); validation after every epoch in eval mode;
  the weights of the best validation epoch are kept (ties: the earlier); test accuracy
  of the kept weights.
- scratch: the whole network trained. frozen: the base in eval mode, its features
  computed once, only the head trained. --export-base writes the initial base in the
  toolkit's safetensors layout, so inc3-train can train on the very same frozen base.

Prints one JSON object on stdout: best validation accuracy and epoch, test accuracy,
per-epoch history, seconds per epoch (training and validation) and training images/s.
"""
import argparse
import copy
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image


def class_list(root):
    listed = os.path.join(root, "classes.txt")
    if os.path.exists(listed):
        with open(listed) as f:
            return [line.rstrip("\n") for line in f if line.rstrip("\n")]
    return sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))


def load_folder(root, classes):
    """uint8 [N, 1, H, W] and labels, files sorted by name within a class."""
    pixels, labels = [], []
    for k, c in enumerate(classes):
        folder = os.path.join(root, c)
        for name in sorted(os.listdir(folder)):
            if not name.lower().endswith(".png"):
                continue
            img = np.asarray(Image.open(os.path.join(folder, name)).convert("L"), dtype=np.uint8)
            pixels.append(img)
            labels.append(k)
    x = torch.from_numpy(np.stack(pixels)).unsqueeze(1)
    return x, torch.tensor(labels, dtype=torch.long)


def prepare(pixels):
    return pixels.float().expand(-1, 3, -1, -1) / 127.5 - 1.0


def feature_map(m, x):
    """torchvision Inception3._forward up to Mixed_7c (no pooling, no dropout, no fc)."""
    x = m.Conv2d_1a_3x3(x)
    x = m.Conv2d_2a_3x3(x)
    x = m.Conv2d_2b_3x3(x)
    x = m.maxpool1(x)
    x = m.Conv2d_3b_1x1(x)
    x = m.Conv2d_4a_3x3(x)
    x = m.maxpool2(x)
    for block in (m.Mixed_5b, m.Mixed_5c, m.Mixed_5d, m.Mixed_6a, m.Mixed_6b, m.Mixed_6c, m.Mixed_6d,
                  m.Mixed_6e, m.Mixed_7a, m.Mixed_7b, m.Mixed_7c):
        x = block(x)
    return x


def flatten_channels_last(fm):
    return fm.permute(0, 2, 3, 1).reshape(fm.shape[0], -1)


class Head(torch.nn.Module):
    def __init__(self, features, classes):
        super().__init__()
        self.dense1 = torch.nn.Linear(features, 10)
        self.dense2 = torch.nn.Linear(10, 20)
        self.logits = torch.nn.Linear(20, classes)
        for layer in (self.dense1, self.dense2, self.logits):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        return self.logits(F.elu(self.dense2(F.elu(self.dense1(x)))))


class Classifier(torch.nn.Module):
    def __init__(self, base, head):
        super().__init__()
        self.base, self.head = base, head

    def forward(self, x):
        return self.head(flatten_channels_last(feature_map(self.base, x)))


def batches(order, batch, merge_single):
    out = [order[i:i + batch] for i in range(0, len(order), batch)]
    if merge_single and len(out) > 1 and len(out[-1]) == 1:
        out[-2] = torch.cat([out[-2], out[-1]])
        out.pop()
    return out


def evaluate(module, logits_of, labels, batch=64):
    module.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(labels), batch):
            idx = torch.arange(i, min(len(labels), i + batch))
            out = logits_of(idx)
            loss += F.cross_entropy(out, labels[idx], reduction="sum").item()
            correct += (out.argmax(1) == labels[idx]).sum().item()
    return loss / len(labels), correct / len(labels)


def fit(module, train_logits, val_logits, y_train, y_val, epochs, batch, lr, seed, merge_single):
    params = [p for p in module.parameters() if p.requires_grad]
    opt = torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7)
    gen = torch.Generator().manual_seed(seed + 5)
    history, best, best_state, train_secs, val_secs = [], None, None, 0.0, 0.0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        module.train()
        order = torch.randperm(len(y_train), generator=gen)
        loss_sum, correct = 0.0, 0
        for idx in batches(order, batch, merge_single):
            opt.zero_grad()
            out = train_logits(idx)
            loss = F.cross_entropy(out, y_train[idx])
            if not torch.isfinite(loss):
                raise SystemExit(f"epoch {epoch}: training loss is not finite")
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.detach().argmax(1) == y_train[idx]).sum().item()
        middle = time.perf_counter()
        val_loss, val_acc = evaluate(module, val_logits, y_val)
        end = time.perf_counter()
        train_secs += middle - start
        val_secs += end - middle
        history.append([epoch, loss_sum / len(y_train), correct / len(y_train), val_loss, val_acc])
        if best is None or val_acc > best[1]:
            best = (epoch, val_acc)
            best_state = copy.deepcopy(module.state_dict())
    module.load_state_dict(best_state)
    return history, best, train_secs, val_secs


def write_base(path, base, seed):
    """The base's state dict in the toolkit's layout (torchvision names, safetensors)."""
    header, blobs, offset = {"__metadata__": {"format": "xr-inception-v3", "variant": "torchvision",
                                              "num_classes": "1000", "aux_logits": "false",
                                              "source": f"torchvision init_weights=True, torch.manual_seed({seed})",
                                              "converter": "tests/bench/classify_learning_torch.py"}}, [], 0
    for name, t in sorted(base.state_dict().items()):
        t = t.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        raw = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--mode", choices=["scratch", "frozen"], required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--export-base")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    classes = class_list(a.train)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = (
        load_folder(d, classes) for d in (a.train, a.val, a.test))
    size = x_train.shape[-1]

    torch.manual_seed(a.seed)
    base = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True)
    if a.export_base:
        write_base(a.export_base, base, a.seed)
    with torch.no_grad():
        features = flatten_channels_last(feature_map(base.eval(), prepare(x_train[:1]))).shape[1]
    head = Head(features, len(classes))

    if a.mode == "scratch":
        model = Classifier(base, head)
        history, best, train_secs, val_secs = fit(
            model, lambda i: model(prepare(x_train[i])), lambda i: model(prepare(x_val[i])),
            y_train, y_val, a.epochs, a.batch, a.lr, a.seed, merge_single=True)
        _, test_acc = evaluate(model, lambda i: model(prepare(x_test[i])), y_test)
        feature_secs = 0.0
    else:
        for p in base.parameters():
            p.requires_grad_(False)
        base.eval()
        start = time.perf_counter()
        with torch.no_grad():
            def feats(x):
                return torch.cat([flatten_channels_last(feature_map(base, prepare(x[i:i + 32])))
                                  for i in range(0, len(x), 32)])
            f_train, f_val, f_test = feats(x_train), feats(x_val), feats(x_test)
        feature_secs = time.perf_counter() - start
        history, best, train_secs, val_secs = fit(
            head, lambda i: head(f_train[i]), lambda i: head(f_val[i]),
            y_train, y_val, a.epochs, a.batch, a.lr, a.seed, merge_single=False)
        _, test_acc = evaluate(head, lambda i: head(f_test[i]), y_test)

    print(json.dumps({
        "impl": "pytorch", "arch": "torchvision", "mode": a.mode, "size": size, "seed": a.seed,
        "epochs": a.epochs, "lr": a.lr, "best_val_accuracy": best[1], "best_epoch": best[0],
        "test_accuracy": test_acc, "history": history,
        "secs_per_epoch": (train_secs + val_secs) / a.epochs,
        "train_images_per_s": len(y_train) * a.epochs / train_secs if train_secs > 0 else None,
        "feature_secs": feature_secs, "torch": torch.__version__, "threads": a.threads}))


if __name__ == "__main__":
    main()
