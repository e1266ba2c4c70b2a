#!/usr/bin/python3
"""How learnable xr-phantom's classes are: crops each image to its lung mask's
bounding box (as xr-crop does), resizes to 128x128, trains a small CNN on a
training share and reports the test accuracy, next to a pixel-level logistic
regression. The phantom should be well above chance (0.25 for four classes) but
not perfectly separable.

  tests/bench/bench_phantom_learnability.py RAW_DIR [--train 300] [--epochs 12] [--seed 0]

RAW_DIR is an xr-phantom output (every class with masks). Uses Debian's python3
(torch, numpy, PIL, sklearn).
"""
import argparse
import os
import sys

import numpy as np
import torch
from PIL import Image
from sklearn.linear_model import LogisticRegression


def load(raw, size):
    classes = sorted(d for d in os.listdir(raw) if os.path.isdir(os.path.join(raw, d)))
    xs, ys = [], []
    for label, cls in enumerate(classes):
        names = sorted(os.listdir(os.path.join(raw, cls, "images")),
                       key=lambda n: int(n.rsplit("-", 1)[1].split(".")[0]))
        for name in names:
            img = Image.open(os.path.join(raw, cls, "images", name)).convert("L")
            mask = Image.open(os.path.join(raw, cls, "masks", name)).convert("L").resize(img.size, Image.NEAREST)
            m = np.asarray(mask) > 127
            rows, cols = np.where(m.any(1))[0], np.where(m.any(0))[0]
            box = (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1)
            crop = img.crop(box).resize((size, size), Image.BOX)
            x = np.asarray(crop, dtype=np.float32) / 255.0
            # Per-image standardisation: exposure varies on purpose; the findings are
            # what the classes differ in.
            xs.append((x - x.mean()) / (x.std() + 1e-6))
            ys.append(label)
    return classes, np.stack(xs), np.array(ys)


def split(ys, n_train, rng):
    train, test = [], []
    for c in np.unique(ys):
        idx = rng.permutation(np.where(ys == c)[0])
        train += list(idx[:n_train])
        test += list(idx[n_train:])
    return np.array(train), np.array(test)


def cnn(n_classes):
    def block(i, o):
        return [torch.nn.Conv2d(i, o, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
    return torch.nn.Sequential(*block(1, 16), *block(16, 32), *block(32, 64), *block(64, 64),
                               torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(64, n_classes))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--train", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    torch.manual_seed(a.seed)
    classes, xs, ys = load(a.raw, a.size)
    tr, te = split(ys, a.train, rng)
    if len(te) == 0:
        sys.exit("no test images left: lower --train")

    small = xs[:, ::4, ::4].reshape(len(xs), -1)
    lr = LogisticRegression(max_iter=2000, C=0.1).fit(small[tr], ys[tr])
    lr_acc = (lr.predict(small[te]) == ys[te]).mean()

    model = cnn(len(classes))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x_tr = torch.from_numpy(xs[tr]).unsqueeze(1)
    y_tr = torch.from_numpy(ys[tr])
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(len(tr))
        for i in range(0, len(tr), 32):
            b = perm[i:i + 32]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_tr[b]), y_tr[b])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(xs[te]).unsqueeze(1)).argmax(1).numpy()
    acc = (pred == ys[te]).mean()
    conf = np.zeros((len(classes), len(classes)), dtype=int)
    for t, p in zip(ys[te], pred):
        conf[t, p] += 1
    print(f"classes: {classes}")
    print(f"train {a.train}/class, test {len(te)} images, {a.size}x{a.size} lung crops")
    print(f"logistic regression (32x32 pixels): test accuracy {lr_acc:.3f}")
    print(f"small CNN ({a.epochs} epochs, final train loss {loss.item():.3f}): test accuracy {acc:.3f}")
    print("confusion (rows true, columns predicted):")
    print(conf)


if __name__ == "__main__":
    main()
