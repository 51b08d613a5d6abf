"""Scoring: takes finished run folders and the pinned feature network, and gives each run's
metrics.json (sample quality, likelihood for the VAEs, training cost) plus the real-data row."""
