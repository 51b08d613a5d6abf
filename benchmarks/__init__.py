"""genbench: a reproducible benchmark of generative models (VAEs, GANs, diffusion) on MNIST.

`benchmarks.score_samples(images, dataset="mnist")` scores anyone's samples as the bench scores
its own runs (`benchmarks.scoring.score_samples`)."""


def __getattr__(name):
    if name == "score_samples":  # imported on first use: `import benchmarks` stays light
        from benchmarks.scoring.score_samples import score_samples

        return score_samples
    raise AttributeError(f"module 'benchmarks' has no attribute {name!r}")
