"""The taxi notebook runs top to bottom, so it cannot rot."""
import nbformat
from nbclient import NotebookClient


def test_taxi_notebook_executes(root):
    path = root / "docs/notebooks/taxi_quality.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "FAILED</b> nyc.yellow_taxi_trips" in html  # the report rendered as HTML
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the plot
