"""The report's text: `tables` (summary.csv/md/tex), `findings` (what the tables show and do not),
`takeaways` and its lecture and diffusion parts (one sentence a slide), `throughput` (perf.md),
`parity` (parity.md), `compare` (two reports side by side)."""
