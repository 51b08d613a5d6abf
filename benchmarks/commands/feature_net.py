"""`feature-net`: verify a dataset's pinned feature network, or retrain it as a candidate."""

from __future__ import annotations

import json

from benchmarks.commands import add_data_dir, add_dataset
from benchmarks.data.mnist import dataset, load_mnist
from benchmarks.errors import UserError

HELP = "check or retrain a dataset's pinned feature network"
EXAMPLE = "python -m benchmarks feature-net --dataset mnist"


def add_arguments(p) -> None:
    p.add_argument("--train", action="store_true", help="retrain it (seed 0) as a candidate to pin")
    add_dataset(p, "whose feature network")
    add_data_dir(p)


def main(args) -> int:
    from benchmarks.data.pipeline import to_unit
    from benchmarks.scoring.feature_net import FeatureNet, pinned, train

    spec = dataset(args.dataset)
    net_file = pinned(spec)
    if args.train:  # the pinned weights stay untouched: scores remain comparable until you pin
        info = train(args.data_dir, name=spec)
        print(json.dumps(info, indent=2))
        if info["test_accuracy"] < net_file.min_test_accuracy:
            raise UserError(f"test accuracy {info['test_accuracy']:.4f} < {net_file.min_test_accuracy}: "
                            f"{net_file.candidate} is not fit to pin; the pinned {net_file.weights.name} is unchanged")
        if info["sha256"] == net_file.sha256:
            print(f"reproduced the pinned weights bit for bit ({info['sha256']})")
        else:
            print(f"to pin it: mv {net_file.candidate} {net_file.weights} (and "
                  f"{net_file.candidate.with_suffix('.json')}), then set its sha256 \"{info['sha256']}\" as "
                  f"{spec.name}'s features_sha256 in benchmarks/data/mnist.py")
        return 0
    net = FeatureNet(spec)
    _, (x_test, y_test) = load_mnist(args.data_dir, spec)
    _, logits = net(to_unit(x_test))
    accuracy = float((logits.argmax(1) == y_test).mean())
    print(f"feature network {net_file.weights} (sha256 verified): {spec.name} test accuracy {accuracy:.4f}")
    return 0
