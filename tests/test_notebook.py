"""notebooks/tour.ipynb: committed without outputs, and runs top to bottom on the real MNIST
files (nbclient, the kernel of this environment), so that it cannot rot."""

from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "tour.ipynb"


def test_the_committed_tour_has_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.mnist
def test_the_tour_runs_top_to_bottom(mnist_dir, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("MNIST_DIR", str(mnist_dir))  # the kernel inherits it
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "2,000 images, (N, 28, 28, 1) float32 in [0, 1]" in text and "fid" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3  # samples, the KL figure, the deck figure
