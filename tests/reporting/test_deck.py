"""The deck: its pages in the course's order, their size, and takeaways computed from the numbers."""

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from benchmarks import files
from benchmarks.reporting import deck
from benchmarks.reporting.figures import plots
from benchmarks.reporting.figures.table import table_figure
from benchmarks.reporting.text import takeaways as say

SUMMARY = pd.DataFrame({  # a hand-made summary: two GANs, a VAE and the real-data row
    "model": ["vae-dense", "gan-dense", "gan-dense-minimax", "gan-conv", "real-data"],
    "fid_mean": [25.2, 101.2, 149.6, 11.9, 0.34],
    "fid_quick_at_epoch_mean": [40.0, 120.0, 160.0, 15.0, np.nan],
    "test_elbo_mean": [-117.4, np.nan, np.nan, np.nan, np.nan],
    "images_per_sec_mean": [9000.0, 4000.0, 4000.0, 600.0, np.nan],
    "recall_mean": [0.16, 0.0, 0.0, 0.35, 0.84], "precision_mean": [0.68, 0.4, 0.0, 0.58, 0.85],
    "modes_confident_mean": [10.0, 1.0, 0.0, 10.0, 10.0],
    "eval_samples_mean": [10_000, 10_000, 10_000, 10_000, np.nan],
})
STEPS = {"gan-dense": [pd.DataFrame({"images": [100, 200, 300, 400], "epoch": [0.5, 1.0, 1.5, 2.0],
                                     "d_fake": [0.5, 0.47, 0.45, 0.44]})],
         "gan-dense-minimax": [pd.DataFrame({"images": [100, 200], "epoch": [0.5, 1.0], "d_fake": [0.05, 0.018]}),
                               pd.DataFrame({"images": [100, 200], "epoch": [0.5, 1.0], "d_fake": [0.04, 0.016]})]}


def test_takeaways_are_computed_from_the_table():
    facts = say.Facts(SUMMARY, STEPS)
    assert say.samples(facts) == ("FID of 10,000 samples: best gan-conv 11.9, worst gan-dense-minimax 149.6; real "
                                  "held-out digits 0.34.")
    # D(G(z)) at the end of epoch 1 (not of each budget): gan-dense 0.47, not its last 0.44;
    # gan-dense-minimax (0.018 + 0.016) / 2 = 0.017
    assert say.saturation(facts) == ("After one epoch of the same images, gan-dense-minimax is at quick FID 160 "
                                     "against 120 for gan-dense, and mean D(G(z)) at the end of that epoch is 0.017 "
                                     "against 0.470: the saturating loss stalls.")
    assert say.table(facts) == "Best FID: gan-conv; best test ELBO: vae-dense; fastest per image: vae-dense."
    assert say.equal_images(facts) == ("Quick FID after one epoch of the same images: gan-conv 15, vae-dense 40, "
                                       "gan-dense 120, gan-dense-minimax 160.")
    changed = say.Facts(SUMMARY.assign(fid_mean=[25.2, 9.0, 149.6, 11.9, 0.34]), STEPS)
    assert "best gan-dense 9.0" in say.samples(changed)  # the sentence follows the numbers
    assert say.vae_likelihood(facts) is None  # no IWAE bound in this table: no claim


def test_the_deck_has_a_page_per_slide_in_the_course_order_at_16_9(tmp_path):
    for where, name in (("lecture", "elbo-gap"), ("figures", "samples-final"), ("figures", "losses-gan"),
                        ("lecture", "generator-loss"), ("figures", "fid-vs-time"), ("figures", "table")):
        fig, axes = plots.figure()
        axes[0][0].plot([0, 1], [0, 1])
        plots.save(fig, tmp_path / where, name)
    (tmp_path / "slides").mkdir()
    (tmp_path / "slides" / "99-old.png").write_bytes(b"an older deck's page")
    facts = say.Facts(SUMMARY, STEPS)
    slides = deck.slides(tmp_path, facts, "A title", "the suite, the machine, the date",
                         tmp_path / "figures" / "table.png", ["one caveat"])
    names = [s.name for s in slides]
    assert names == ["title", "elbo-gap", "generator-loss", "losses-gan", "samples-final", "table", "fid-vs-time",
                     "limits"]  # VAE theory, GAN losses, dense against conv, the comparison, the limits
    assert slides[4].text == say.samples(facts) and slides[-1].bullets == ("one caveat",)
    pngs = deck.write(tmp_path, slides)
    pdf = (tmp_path / "slides.pdf").read_bytes()
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == len(slides) == 8
    boxes = {tuple(float(v) for v in m.split()) for m in re.findall(rb"/MediaBox \[ ([\d. ]+) \]", pdf)}
    assert boxes == {(0.0, 0.0, 960.0, 540.0)}  # 13.33 x 7.5 in: 16:9
    assert [p.name for p in pngs] == [f"{i:02d}-{n}.png" for i, n in enumerate(names, 1)]
    assert plt.imread(pngs[0]).shape[:2] == (1080, 1920)
    # in the report's style (PNGs at 200 dpi) the PDF embeds each figure at the pixels it fills on a
    # 144-dpi page, 0.78 * 7.5 in * 144 = 842 px high, not resampled to 200 dpi (1,170 px)
    with plots.style():
        deck.write(tmp_path, slides, dpi=144)
    heights = {int(h) for h in re.findall(rb"/Subtype /Image /Width \d+ /Height (\d+)", (tmp_path / "slides.pdf")
                                          .read_bytes())}
    assert heights == {842}
    assert not (tmp_path / "slides" / "99-old.png").exists()  # no page of an older deck is left


@pytest.mark.parametrize("missing", ["elbo-gap", "fid-vs-time"])
def test_a_slide_whose_figure_is_missing_is_left_out(tmp_path, missing):
    for name in ("elbo-gap", "fid-vs-time"):
        if name != missing:
            fig, _ = plots.figure()
            plots.save(fig, tmp_path / ("lecture" if name == "elbo-gap" else "figures"), name)
    names = [s.name for s in deck.slides(tmp_path, say.Facts(SUMMARY), "t", "s", None, [])]
    assert missing not in names and len(names) == 2  # the title and the other figure; no caveats, no limits page


def test_the_table_slide_fits_every_cell_text_inside_its_cell_and_the_table_inside_the_slide():
    """The comparison table once clipped 'gan-dense-minimax' and let a two-line header run into
    its neighbour: each text, bold included, must lie within its cell, and the table within the
    figure, however long the names."""
    cells = pd.DataFrame({"Model": ["vae-dense", "gan-dense-minimax", "real-data"], "FID ↓": ["24.6", "173.9", "0.3"],
                          "Quick FID\nafter 1 epoch ↓": ["40", "174", "–"], "Precision ↑": ["0.69", "0.00", "0.85"],
                          "Recall ↑": ["0.16", "**0.00**", "0.84"], "Digits\np ≥ 0.9 ↑": ["9.3", "1.0", "10.0"],
                          "Test\nELBO ↑": ["**-116.7**", "–", "–"], "Train s": ["7", "8", "–"],
                          "Trained in": ["float32", "mixed_bfloat16", "–"]})  # the deck's 9 columns
    fig = table_figure(cells, "a title")
    fig.canvas.draw()
    table = fig.axes[0].tables[0]
    assert table.get_window_extent().x0 >= 0 and table.get_window_extent().x1 <= fig.bbox.width
    for cell in table.get_celld().values():
        box, text = cell.get_window_extent(), cell.get_text().get_window_extent()
        assert box.x0 <= text.x0 and text.x1 <= box.x1, cell.get_text().get_text()
    plt.close(fig)


def test_the_classes_figure_keeps_its_legend_off_a_collapsed_models_bar():
    """A collapsed GAN puts all its samples in one class: its bar reaches the top of the axes,
    where the legend once hid it. The legend sits beside the axes."""
    shares = {f"mode_hist_{d}_mean": [0.1, 1.0 if d == 9 else 0.0] for d in range(10)}
    summary = pd.DataFrame({"model": ["vae-dense", "gan-dense-minimax"], **shares})
    fig = plots.mode_histograms(summary, np.full(10, 0.1))
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1
    plt.close(fig)


def test_the_published_numbers_get_two_slides_before_the_limits_with_their_numbers(tmp_path):
    from benchmarks.reporting.published import paper

    for name in ("curves", "samples"):  # reproduce's figures, in OUT/paper/
        fig, _ = plots.figure()
        plots.save(fig, tmp_path / "paper", name)
    table = pd.DataFrame(
        [(paper.NLL, paper.THEIRS_NLL, "paper", 86.76, np.nan, "3,280 passes; IWAE bound, k = 5000"),
         (paper.NLL, paper.OURS_NLL, "ours", 86.9012, 0.2345, "3280 passes; IWAE bound, k = 5000, 10000 images"),
         (paper.NLL, paper.OURS_ELBO, "ours", 91.2, 0.25, "one z per image, analytic KL"),
         (paper.PARZEN, paper.THEIRS_GAN, "paper", 225.0, 2.0, "10,000 samples"),
         (paper.PARZEN, paper.OURS_GAN, "ours", 203.78, 2.3, "8 epochs"),
         (paper.PARZEN, paper.OURS_MEANS, "ours", 231.64, 1.9, "σ = 0.167"),
         (paper.PARZEN, paper.OURS_DRAWS, "ours", 1.36, 1.7, "σ = 0.215"),
         (paper.PARZEN, paper.OURS_REAL, "ours", 238.83, 2.1, "σ = 0.167")],
        columns=["comparison", "model", "source", "value", "se", "protocol"])
    files.write_csv(tmp_path / "paper" / "table.csv", table)
    problems = []
    found = deck.paper_table(tmp_path, problems)
    slides = deck.slides(tmp_path, say.Facts(SUMMARY), "t", "s", None, ["a caveat"], found)
    assert [s.name for s in slides] == ["title", "paper-curves", "paper-samples", "limits"] and problems == []
    assert ("after 3,280 passes: 86.90 ± 0.23 nats" in slides[1].text and "against 86.76" in slides[1].text
            and "test ELBO is 91.20" in slides[1].text and "366-pass" in slides[1].text)  # the full schedule
    assert "gan-conv 203.8 (Goodfellow et al.'s GAN 225)" in slides[2].text and "binary samples 1.4" in slides[2].text
    # no reproduction (results/fashion-mnist): no such slides; a damaged table: one line, no slides
    assert deck.paper_table(tmp_path / "nothing", problems) is None and problems == []
    (tmp_path / "paper" / "table.csv").write_text("comparison,model\nx,y\n")
    assert deck.paper_table(tmp_path, problems) is None
    assert len(problems) == 1 and "table.csv" in problems[0] and "reproduce" in problems[0]


def test_no_slide_title_runs_into_its_section_label():
    slides = [deck.Slide(name, heading, section=section) for section, name, _, heading, _ in deck.COURSE]
    slides += [deck.Slide(name, heading, section="Published numbers") for name, heading, _ in deck.PAPERS]
    for slide in slides:
        fig = deck.render(slide, 1)
        renderer = fig.canvas.get_renderer()
        title, section = (t.get_window_extent(renderer) for t in fig.texts[:2])
        assert title.x1 < section.x0, slide.title
        plt.close(fig)


def test_caveats_longer_than_a_page_go_on_to_the_next_limits_slide():
    # 9 caveats of 3 wrapped lines each (250 characters at 100 a line): 6 fit in 18 lines, 3 go on
    caveats = [f"caveat {i} " + "word " * 48 for i in range(9)]
    assert [len(p) for p in deck.bullet_pages(caveats)] == [6, 3]
    assert deck.bullet_pages(["one caveat"]) == [["one caveat"]] and deck.bullet_pages([]) == []
    slides = deck.slides(Path("/nonexistent"), say.Facts(SUMMARY, STEPS), "A title", "sub", None, caveats)
    assert [(s.name, s.title) for s in slides[1:]] == [("limits-1", "What the numbers do not show (1 of 2)"),
                                                      ("limits-2", "What the numbers do not show (2 of 2)")]
    for slide in slides[1:]:  # every line of the body inside the page
        fig = deck.render(slide, 2)
        body = fig.texts[-1].get_window_extent(fig.canvas.get_renderer())
        assert body.y0 > 0.03 * fig.bbox.height and body.y1 < fig.bbox.height, slide.title
        plt.close(fig)
