"""The report's figures: `from_records` picks from the runs' records what to draw and writes the
index; `plots` draws numbers, `pictures` images, `model_figures` the figures that need a trained
model, `sampling_cost` what a sample costs; `genbench.mplstyle` is their style."""
