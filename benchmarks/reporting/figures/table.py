"""A table of strings as a slide (the comparison table, early against converged): bold where a
cell is the best of its column, the models in their colours, the largest font that fits."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from benchmarks.reporting.figures.plots import REAL_COLOUR, REAL_ROW, colour, figure


def table_figure(cells: pd.DataFrame, title: str) -> Figure:
    """A table of strings as a slide: '**x**' cells in bold (the best of a column), the
    header in bold, the real-data row in grey."""
    fig, axes = figure()
    ax = axes[0][0]
    ax.axis("off")
    text = cells.map(lambda v: str(v).replace("**", ""))
    shown = ax.table(cellText=text.to_numpy(), colLabels=list(cells.columns), loc="center", cellLoc="center")
    shown.auto_set_font_size(False)
    shown.scale(1, 3.0)
    for (row, col), cell in shown.get_celld().items():
        cell.set_edgecolor("0.8")
        if row == 0:
            cell.set_text_props(weight="bold")
            cell.set_height(cell.get_height() * 1.8)
        elif "**" in str(cells.iat[row - 1, col]):
            cell.set_text_props(weight="bold")
        if row > 0 and cells.iat[row - 1, 0] == REAL_ROW:
            cell.set_text_props(color=REAL_COLOUR)
        if row > 0 and col == 0:
            cell.set_text_props(color=colour(cells.iat[row - 1, 0]), weight="bold")
    shown.auto_set_column_width(list(range(len(cells.columns))))  # as wide as its widest text, bold included
    engine = fig.get_layout_engine()
    fig.set_layout_engine("none")  # constrained layout gives up on a table wider than the figure
    for size in (18, 17, 16, 15, 14, 13, 12):  # the largest font at which the table fits the slide
        shown.set_fontsize(size)
        fig.canvas.draw()  # lays the table out: column widths from the text at this size
        if shown.get_window_extent().width <= 0.96 * fig.bbox.width:
            break
    fig.set_layout_engine(engine)
    ax.set_title(title)
    return fig
