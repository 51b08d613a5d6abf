"""Training: takes a suite (TOML: models, seeds, budget, settings) and the data, and gives one
run folder per (model, seed) with its config, history, checkpoints, sample grids and samples."""
