"""What determines a run and where it ran: its configuration resolved from the suite (what
config.json holds), the machine's environment recorded beside it, and its tf.distribute strategy."""

from __future__ import annotations

import os
import platform

import tensorflow as tf

import models
from benchmarks import precision, provenance, suite_file
from benchmarks.errors import UserError

SITTING_KEYS = ("commit", "dirty", "genbench", "cpu")  # what config.json's `sittings` keep of each


def environment() -> dict:
    return {
        **provenance.versions(), "platform": platform.platform(), "cpu": precision.cpu_model(),
        "cpu_count": os.cpu_count(), "cpu_flags": precision.cpu_flags(), "matmul_gflops": precision.peaks(),
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")], **provenance.commit(),
    }


def resolve_config(suite: dict, model: str, seed: int, data_source: str) -> dict:
    """Everything that determines a run (`suite_file.run_settings`, the model's own settings as
    `hyperparameters`, `dtype` resolved, the suite's setting kept as `dtype_setting`);
    config.json holds it plus the environment."""
    config = {"model": model, "family": models.family(model), "seed": seed, "suite": suite["name"],
              "hyperparameters": suite_file.hyperparameters(suite, model), "data_source": data_source,
              **suite_file.run_settings(suite, model)}
    config["dtype_setting"], config["dtype"] = config["dtype"], precision.resolve(config["dtype"])
    if config["loop"] == "compiled" and config["strategy"] != "default":
        raise UserError(f"{model}: loop = \"compiled\" runs on the default strategy; set strategy = \"default\" "
                        "or loop = \"fit\"")
    return config


def make_strategy(name: str):
    if name == "default":
        return tf.distribute.get_strategy()
    if tf.config.list_logical_devices("GPU"):
        return tf.distribute.MirroredStrategy()
    cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(cpus if len(cpus) > 1 else None)
