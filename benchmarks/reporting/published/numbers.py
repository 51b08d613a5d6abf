"""Published MNIST numbers, each held once as data: its value, its ± and what the ± is, the
paper and table it comes from, and how it was measured. papers.md and results/paper/ draw
their prose and tables from these values."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Published:
    """One number of a paper's table. `metric` is what `value` measures: 'parzen_ll' (Parzen
    log-likelihood of the test set, nats, higher is better) or 'nll' (negative
    log-likelihood of the test set, nats, lower is better). `spread` is its ± and `kind` says
    what that is ('s.e.' or 'std'); None where the paper gives none."""

    model: str
    metric: str
    value: float
    spread: float | None
    kind: str | None
    paper: str
    table: str
    protocol: str

    def text(self, sign: float = 1.0) -> str:
        """The number as the paper prints it (times `sign`), with its ± if it has one."""
        value = f"{sign * self.value:g}".replace("-", "−")
        return value if self.spread is None else f"{value} ± {self.spread:g}"

    @property
    def source(self) -> str:
        return f"{self.paper}, {self.table}"


GOODFELLOW_2014 = "Goodfellow et al. 2014"
BURDA_2015 = "Burda et al. 2015"
_PARZEN = "Gaussian Parzen window on 10,000 samples, σ by validation likelihood; ± the s.e. over test images"
_IWAE = "IWAE bound at k = 5000 on the 10,000 dynamically binarized test images"

GOODFELLOW = (  # "Generative Adversarial Nets", Table 1: Parzen window-based log-likelihood estimates, MNIST
    Published("DBN", "parzen_ll", 138, 2, "s.e.", GOODFELLOW_2014, "Table 1", _PARZEN),
    Published("Stacked CAE", "parzen_ll", 121, 1.6, "s.e.", GOODFELLOW_2014, "Table 1", _PARZEN),
    Published("Deep GSN", "parzen_ll", 214, 1.1, "s.e.", GOODFELLOW_2014, "Table 1", _PARZEN),
    Published("Adversarial nets", "parzen_ll", 225, 2, "s.e.", GOODFELLOW_2014, "Table 1", _PARZEN),
)
BURDA = (  # "Importance Weighted Autoencoders", Table 1: test NLL on MNIST, one stochastic layer
    Published("VAE, one stochastic layer (k = 1)", "nll", 86.76, None, None, BURDA_2015, "Table 1", _IWAE),
    Published("IWAE, one stochastic layer, k = 50", "nll", 84.78, None, None, BURDA_2015, "Table 1", _IWAE),
)
GAN = GOODFELLOW[-1]  # what our conv GAN is set beside
VAE = BURDA[0]  # what vae-burda reproduces
