"""Reporting: takes the scored run folders of an output folder, and gives the summary tables
(CSV, Markdown, LaTeX), papers.md beside the published numbers, and the slide-ready figures."""
