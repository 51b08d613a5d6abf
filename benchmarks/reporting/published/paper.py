"""results/paper/: the two reproductions (`benchmarks.commands.reproduce`) beside the papers' numbers.

README.md (tables, schedule, time, machine, reading), table.csv, config-<model>.json (each
run's config.json as it trained), curves.png/pdf and samples.png/pdf (`paper_figures`), all
drawn from the runs' records and the published numbers (`published`); every write is atomic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import files
from benchmarks.errors import UserError
from benchmarks.records import Loaded
from benchmarks.reporting.figures import plots
from benchmarks.reporting.published import earlier, paper_figures, parzen
from benchmarks.reporting.published.numbers import GAN as GOODFELLOW_GAN
from benchmarks.reporting.published.numbers import GOODFELLOW
from benchmarks.reporting.published.numbers import VAE as BURDA_VAE
from benchmarks.reporting.published.paper_figures import BLUR_SHOWN, BLURRED
from benchmarks.reporting.text import findings
from models.registry import BURDA_STAGES
from models.schedules import burda_learning_rate

GAN, VAE, OWN_GAN = "gan-conv", "vae-burda", "gan-goodfellow"
NLL = "NLL, test set (nats, lower is better)"
PARZEN = "Parzen log-likelihood, test set (nats, higher is better)"
# table.csv's rows of ours (the slides' takeaways find them by these names)
OURS_NLL, OURS_ELBO = "vae-burda (genbench)", "vae-burda, test ELBO (genbench)"
OURS_GAN, OURS_MEANS = "gan-conv (genbench)", "vae-burda, Bernoulli means (genbench)"
OURS_OWN_GAN = "gan-goodfellow, their maxout MLP GAN (genbench)"
OURS_DRAWS, OURS_REAL = "vae-burda, binary draws x ~ p(x|z) (genbench)", "real held-out images (the ceiling)"
THEIRS_NLL = f"VAE, 1 stochastic layer, k = 1 ({BURDA_VAE.paper})"
THEIRS_GAN = f"{GOODFELLOW_GAN.model} ({GOODFELLOW_GAN.paper})"  # as table() names each of GOODFELLOW


def runs_of(loaded: Loaded, out: Path) -> dict:
    """model -> {config, metrics, history, curve, samples} of its seed-0 run (samples read now);
    Goodfellow et al.'s own GAN where the suite trained it."""
    found = {}
    for model in (VAE, GAN, OWN_GAN):
        record = next((r for r in loaded.of(model) if r.seed == 0), None)
        if record is None and model == OWN_GAN:
            continue
        if record is None:
            raise UserError(f"{out}: {model} seed 0 is missing; train it with "
                            f"`python -m benchmarks reproduce --out {out}`")
        if record.metrics is None:
            raise UserError(f"{record.folder} is not scored; run `python -m benchmarks reproduce --out {out}`")
        found[model] = {"config": record.config, "metrics": record.metrics, "history": record.history,
                        "status": record.status,
                        "curve": record.curve, "samples": record.samples()}
    return found


def table(loaded: dict, real: dict, draws: dict) -> pd.DataFrame:
    """The rows of both comparisons: the papers' and ours, in nats."""
    vae, gan = loaded[VAE]["metrics"], loaded[GAN]["metrics"]
    k = vae["iwae_k"]
    rows = [(NLL, THEIRS_NLL, "paper", BURDA_VAE.value,
             BURDA_VAE.spread or np.nan, f"{sum(BURDA_STAGES):,} passes; IWAE bound, k = 5000"),
            (NLL, OURS_NLL, "ours", -vae["iwae_bound"],
             vae["iwae_bound_se"], f"{vae['epochs']:,} passes; IWAE bound, k = {k}, {vae['iwae_images']:,} images"),
            (NLL, OURS_ELBO, "ours", -vae["test_elbo"],
             vae["test_elbo_se"], "one z per image, analytic KL")]
    rows += [(PARZEN, f"{p.model} ({p.paper})", "paper", p.value, p.spread, "10,000 samples") for p in GOODFELLOW]
    rows += [(PARZEN, OURS_GAN, "ours", gan["parzen_ll"], gan["parzen_ll_se"],
              f"{gan['epochs']} epochs, σ = {gan['parzen_sigma']:.3f}"),
             *([(PARZEN, OURS_OWN_GAN, "ours", own["parzen_ll"], own["parzen_ll_se"],
                 f"{own['epochs']} epochs, σ = {own['parzen_sigma']:.3f}")]
               if (own := loaded.get(OWN_GAN, {}).get("metrics")) else []),
             (PARZEN, OURS_MEANS, "ours", vae["parzen_ll"], vae["parzen_ll_se"],
              f"σ = {vae['parzen_sigma']:.3f}"),
             (PARZEN, OURS_DRAWS, "ours", draws[VAE]["parzen_ll"],
              draws[VAE]["parzen_ll_se"], f"σ = {draws[VAE]['parzen_sigma']:.3f}"),
             (PARZEN, OURS_REAL, "ours", real["parzen_ll"], real["parzen_ll_se"],
              f"σ = {real['parzen_sigma']:.3f}")]
    return pd.DataFrame(rows, columns=["comparison", "model", "source", "value", "se", "protocol"])


def _md_table(frame: pd.DataFrame) -> list[str]:
    lines = ["| Model | Source | Value ± s.e. | Protocol |", "|:--|:--|--:|:--|"]
    for _, r in frame.iterrows():
        se = "" if pd.isna(r["se"]) else f" ± {r['se']:.2f}"
        lines.append(f"| {r['model']} | {r['source']} | {r['value']:.2f}{se} | {r['protocol']} |")
    return lines


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def machine(config: dict) -> str:
    env = config.get("environment")
    if not isinstance(env, dict):
        return "an unrecorded machine"
    peaks = env.get("matmul_gflops", {})
    return (f"{env['cpu']}, {env['cpu_count']} cores, {', '.join(env['gpus']) or 'no GPU'}, TensorFlow"
            f" {env['tensorflow']}, Keras {env['keras']}; matmul peaks (2048³, measured as the run started)"
            f" fp32 {peaks.get('float32', float('nan')):.0f}, bf16 {peaks.get('bfloat16', float('nan')):.0f} GFLOP/s")


def _header(where: str, configs: dict) -> list[str]:
    precisions = ", ".join(f"{model} in {config.get('dtype', 'an unrecorded precision')}"
                           for model, config in configs.items())
    return ["# Two published MNIST numbers, reproduced on this machine", "",
            "Made by `python -m benchmarks reproduce` (the `paper` suite); the run resumes where it was interrupted.",
            f"Made by genbench: {findings.made_by(list(configs.values()))}. Trained {precisions}.",
            f"Machine: {where}.", ""]


def sittings(history: pd.DataFrame, recorded=(), unit: str = "pass") -> list[str]:
    """One line per sitting (a process that trained the run, resumed from the last checkpoint):
    its passes (or epochs: `unit`), training time and wall time, and its commit where config.json's
    `sittings` (`recorded`) names it."""
    if "sitting" not in history:
        return []
    h = history.assign(sitting=history["sitting"].fillna(1).astype(int))
    commits = {int(s["sitting"]): s["commit"] for s in recorded
               if isinstance(s, dict) and isinstance(s.get("sitting"), int) and s.get("commit")}
    units = "passes" if unit == "pass" else f"{unit}s"
    lines = []
    for number, part in h.groupby("sitting"):
        wall = part["ended_at"].max() - (part["ended_at"].iloc[0] - part["epoch_seconds"].iloc[0])
        first, last = part["epoch"].min(), part["epoch"].max()
        span = f"{unit} {first}" if first == last else f"{units} {first}–{last}"
        lines.append(f"sitting {number}{f' (commit {commits[number]})' if number in commits else ''}: {span},"
                     f" {_minutes(part['epoch_seconds'].sum())} of training"
                     + (f", {_minutes(wall)} wall" if np.isfinite(wall) else ""))
    unnamed = [str(n) for n in sorted(set(h["sitting"])) if n not in commits]
    note = (f" config.json names no commit for sitting{'s' * (len(unnamed) > 1)} {', '.join(unnamed)} (genbench"
            " kept only the latest sitting's before it kept them all)." if commits and unnamed else "")
    return [f"Trained in {len(lines)} sitting{'s' * (len(lines) != 1)} (`reproduce` resumes from the last"
            f" checkpoint; {units} trained after it and before an interruption are trained again): "
            + "; ".join(lines) + "." + note, ""]


def _burda(vm: dict, vc: dict, rows: pd.DataFrame, history: pd.DataFrame | None = None) -> list[str]:
    nll, stages, paper = -vm["iwae_bound"], vc["hyperparameters"]["stages"], BURDA_VAE.value
    gap = nll - paper
    return [
        f"## {BURDA_VAE.paper}: the VAE's test log-likelihood", "", *_md_table(rows), "",
        f"**{nll:.2f} nats against the paper's {paper}: {gap:+.2f} nats"
        f" ({'within' if abs(gap) <= 0.5 else 'not within'} the 0.5-nat target).**",
        f"Training: {vm['epochs']:,} passes over train[0:{vc['train_images']}] in {_minutes(vm['train_seconds'])}"
        f" ({vm['images_per_sec']:,.0f} images/s); the k = {vm['iwae_k']} bound on the {vm['iwae_images']:,} test"
        f" images and the scoring took {_minutes(vm['score_seconds'])}.", "",
        *(sittings(history, vc.get("sittings", ())) if history is not None else []),
        "Protocol as in the paper: 2 × 200 tanh units on each side, 50 Gaussian latent units, a Bernoulli decoder;"
        " dynamic binarization (a fresh draw of every training image in every pass); batch 20; Adam with"
        f" β = (0.9, 0.999), ε = {vc['hyperparameters']['epsilon']:g}; learning rate 1e-3 · 10^(−i/7) in stage i."
        f" The paper's stages last 3^i passes, {', '.join(map(str, BURDA_STAGES))} ({sum(BURDA_STAGES):,} passes);"
        + (" ours are the same." if list(stages) == list(BURDA_STAGES) else
           f" ours last {', '.join(map(str, stages))} ({sum(stages)} passes): the paper's first {len(stages)} rates,"
           " each stage compressed to fit."),
        *([] if vc["train_images"] >= 60_000 else [
            f"Differences: we train on the first {vc['train_images']:,} training images (train[50000:] holds the"
            " Parzen validation images), the paper on 60,000."]),
        "The test set is binarized once, x = [u < pixel] with u from"
        " numpy.random.default_rng(0) over the (10000, 28, 28, 1) array in [0, 1]; the IWAE bound's z are drawn"
        " with TensorFlow's stateless sampler, seeded by each batch's first index. ± is the standard error over"
        f" the {vm['iwae_images']:,} test images.", ""]


def against_compressed(curve: pd.DataFrame, stages, train_images: int, near=(10, 30, 100, 200, 366)) -> list[str]:
    """This run's −IWAE bound (k = 50) beside the 366-pass run's (`earlier`) at the passes both curves
    hold nearest to each of `near` (the earlier run was evaluated every 10 passes, this one as its suite
    says), with the learning rate each was training at; nothing unless this run is on the full schedule."""
    if list(stages) != list(BURDA_STAGES):
        return []
    ours = curve.assign(passes=curve["epoch"].round().astype(int)).drop_duplicates("passes", keep="last")
    ours = ours.set_index("passes")
    then = {p: iwae for p, _, iwae in earlier.CURVE}
    common = sorted(set(then) & {p for p in ours.index if p > 0})
    at = sorted({min(common, key=lambda p: (abs(p - target), p)) for target in near}) if common else []
    rows = [(p, then[p], -ours.at[p, "iwae_bound"]) for p in at]
    if not rows:
        return []
    steps = lambda images: f"{images:,} images, {images // 20:,} steps of 20"  # noqa: E731
    return [
        "### Against the 366-pass run, at matching passes", "",
        "−IWAE bound, k = 50, first 1,000 test images (nats; lower is better). The 366-pass run (results/paper/ at"
        f" 5d34e68) squeezed the paper's first eight rates into 366 passes over {earlier.TRAIN_IMAGES:,} images; here"
        f" a pass is {steps(train_images)} (there {steps(earlier.TRAIN_IMAGES)}), and each rate lasts its 3^i passes.",
        "", "| passes | 366-pass run | this run | difference | learning rate there | here |",
        "|--:|--:|--:|--:|--:|--:|",
        *(f"| {p} | {a:.2f} | {b:.2f} | {b - a:+.2f} | {burda_learning_rate(p - 1, earlier.STAGES):.2e} |"
          f" {burda_learning_rate(p - 1, stages):.2e} |" for p, a, b in rows), "",
        f"The 366-pass run ended at {earlier.FINAL_NLL} nats (k = 5000); this run went on for"
        f" {sum(stages) - sum(earlier.STAGES):,} more passes.", ""]


def _goodfellow(vm: dict, gm: dict, real: dict, draw: float, n_samples: int, rows: pd.DataFrame,
                vae_images: int = 50_000) -> list[str]:
    paper = GOODFELLOW_GAN
    seen = (f" vae-burda trained on all {vae_images:,} training images, so for its two rows those 1,000"
            " validation images were seen in training (the 10,000 test images were not)." if vae_images > 50_000
            else "")
    return [
        f"## {paper.paper}: the Parzen-window protocol", "", *_md_table(rows), "",
        f"gan-conv: the default suite's conv GAN trained {gm['epochs']} epoch{'s' * (gm['epochs'] != 1)}"
        f" ({_minutes(gm['train_seconds'])}, {gm['images_per_sec']:.0f} images/s); FID {gm['fid']:.2f} in the pinned"
        f" MNIST features (vae-burda's means: {vm['fid']:.2f}). Protocol: {n_samples:,} samples; σ maximises the"
        " mean log-likelihood of 1,000 held-out training images, train[50000:51000], over 10 log-spaced values in"
        " [0.1, 1] (widened while the best is at an edge); then the mean log-likelihood of the 10,000 test images ±"
        " its standard error over test images. The ceiling takes 10,000 real held-out images, train[50000:60000],"
        f" as the samples (σ from train[49000:50000]).{seen}", "",
        f"**gan-conv scores {gm['parzen_ll']:.1f} ± {gm['parzen_ll_se']:.1f} against the paper's GAN {paper.text()}"
        f" ({gm['parzen_ll'] - paper.value:+.1f}); real images reach {real['parzen_ll']:.1f}.**", "",
        "### What the Parzen numbers say about blur (Theis et al. 2016)", "", parzen.theis(vm, gm, real, draw), ""]


def _files(ev: dict, n_samples: int, models: list[str]) -> list[str]:
    own = OWN_GAN in models
    blurred = f", gan-goodfellow's, and the same blurred by {BLUR_SHOWN} px" if own else ""
    gans = "the GANs'" if own else "the conv GAN's"
    return [
        "## Files", "",
        f"- `table.csv`: every row above; {', '.join(f'`config-{m}.json`' for m in models)}: the exact configuration"
        " of each run, with the machine and library versions it trained on.",
        f"- `curves.png`: vae-burda's test ELBO (all test images) and IWAE bound (k = {ev['curve_iwae_k']}, first"
        f" {ev['curve_images']:,} test images) against passes, the final k = 5000 bound and the paper's value (on"
        " the full schedule, dotted, the 366-pass run's IWAE curve);"
        f" {gans} quick FID against epochs.",
        f"- `samples.png`: vae-burda's means, its binary draws, and the conv GAN's samples{blurred} (the first 64"
        f" of the {n_samples:,} each Parzen estimate used).", ""]


def _own_gan(own: dict, conv: dict, blur: dict | None) -> list[str]:
    config = own["config"]
    return parzen.own_gan(own["metrics"], config, own["status"].get("converged"), conv, blur,
                          sittings(own["history"], config.get("sittings", ()), unit="epoch"))


def readme(loaded: dict, frame: pd.DataFrame, real: dict, draws: dict, blur: dict | None = None) -> str:
    vae, gan = loaded[VAE], loaded[GAN]
    n_samples = len(gan["samples"])
    return "\n".join([*_header(machine(vae["config"]), {m: item["config"] for m, item in loaded.items()}),
                      *_burda(vae["metrics"], vae["config"], frame[frame["comparison"] == NLL], vae["history"]),
                      *against_compressed(vae["curve"], vae["config"]["hyperparameters"]["stages"],
                                          vae["config"]["train_images"]),
                      *_goodfellow(vae["metrics"], gan["metrics"], real, draws[VAE]["parzen_ll"], n_samples,
                                   frame[frame["comparison"] == PARZEN], vae["config"]["train_images"]),
                      *(_own_gan(loaded[OWN_GAN], gan["metrics"], blur) if OWN_GAN in loaded else []),
                      *_files(vae["config"]["eval"], n_samples, list(loaded))])


def panel_parzen(picked: dict, draws: dict, blur: dict | None) -> dict:
    """samples.png's panel title -> the Parzen estimate of its images."""
    out = {"vae-burda: means": picked[VAE]["metrics"]["parzen_ll"], "vae-burda: binary draws": draws[VAE]["parzen_ll"],
           GAN: picked[GAN]["metrics"]["parzen_ll"]}
    if OWN_GAN in picked:
        out[OWN_GAN] = picked[OWN_GAN]["metrics"]["parzen_ll"]
    if blur and BLUR_SHOWN in blur:
        out[BLURRED] = blur[BLUR_SHOWN]["parzen_ll"]
    return out


def write_paper(out: Path, loaded: Loaded, real: dict, draws: dict, draw_images: np.ndarray,
                blur: dict | None = None) -> None:
    """results/paper/ from the records of `out`: `real` is the real-data row's metrics, `draws`
    model -> the Parzen estimate of its Bernoulli draws, `draw_images` vae-burda's draws, `blur`
    pixels -> the Parzen estimate and FID of gan-goodfellow's samples blurred by them."""
    out = Path(out)
    picked = runs_of(loaded, out)
    frame = table(picked, real, draws)
    files.write_csv(out / "table.csv", frame)
    for model, item in picked.items():
        files.write_json(out / f"config-{model}.json", item["config"])
    with plots.style(plots.resolutions([r.config for r in loaded.runs])[0]):
        paper_figures.figures(out, picked[VAE], picked[GAN], draw_images, picked.get(OWN_GAN),
                              panel_parzen(picked, draws, blur))
    text = readme(picked, frame, real, draws, blur)
    if (out / "perf.md").is_file():
        text += ("- `perf.md`: made by `python -m benchmarks perf --suite paper --models vae-burda --steps 1000"
                 " --out OUT`: images/s in float32 and in mixed_bfloat16 measured side by side, behind the suite's"
                 " choice of precision.\n")
    files.write_text(out / "README.md", text)
