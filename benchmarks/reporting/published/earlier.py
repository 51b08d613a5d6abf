"""The 366-pass run's learning curve, kept as data (burda-366-pass.csv beside this module, whose
header says where it was read from): what the full 3,280-pass schedule is set beside in
results/paper/. Each row of CURVE: passes, -ELBO on the 10,000 test images, -IWAE bound with
k = 50 on the first 1,000 test images, in nats."""

from __future__ import annotations

import csv
from pathlib import Path

SOURCE = Path(__file__).with_name("burda-366-pass.csv")
STAGES = (1, 1, 1, 3, 9, 27, 81, 243)  # that run's passes at each of the paper's first eight rates
TRAIN_IMAGES = 50_000
FINAL_NLL = 89.18  # its k = 5000 bound on the 10,000 test images


def _read(path: Path) -> tuple:
    with path.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return tuple((int(r["passes"]), float(r["neg_elbo"]), float(r["neg_iwae_k50"])) for r in rows)


CURVE = _read(SOURCE)
