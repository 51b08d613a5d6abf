"""The published numbers and ours beside them: `numbers` (the papers' values as data), `papers`
(papers.md), `paper` (results/paper/: the reproductions), `paper_figures` (its figures),
`earlier` (the 366-pass run's curve, read from its data file)."""
