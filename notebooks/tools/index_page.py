"""out/index.html: one page linking every rendered notebook, with a line of description and a thumbnail.

Each notebook's metadata names it: {"pcapframe": {"title": ..., "description": ...}}. The thumbnail
is the notebook's first figure (a cell tagged "figure"), saved as thumbs/STEM.svg beside the page.
"""
import html
import pathlib


def figures(nb):
    """The SVG text of every figure cell's output, in order."""
    for cell in nb.cells:
        if "figure" not in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            svg = out.get("data", {}).get("image/svg+xml")
            if svg:
                yield svg if isinstance(svg, str) else "".join(svg)


def first_figure(nb):
    """The SVG text of the first figure cell's output, or None."""
    return next(figures(nb), None)


def entry(nb, stem, out_dir):
    """One index entry for the rendered notebook OUT_DIR/STEM.html: (title, description, href, thumbnail)."""
    meta = nb.metadata.get("pcapframe", {})
    title = meta.get("title", stem)
    description = meta.get("description", "")
    if meta.get("version") == "students":
        title += " (students' version)"
        description = "Exercises without their solutions, each followed by an empty cell to fill in."
    thumb = None
    svg = first_figure(nb)
    if svg:
        (out_dir / "thumbs").mkdir(parents=True, exist_ok=True)
        (out_dir / "thumbs" / f"{stem}.svg").write_text(svg)
        thumb = f"thumbs/{stem}.svg"
    return title, description, f"{stem}.html", thumb


def write_index(entries, out_dir):
    """Writes OUT_DIR/index.html listing ENTRIES (title, description, href, thumbnail or None)."""
    items = []
    for title, description, href, thumb in entries:
        image = f'<img src="{html.escape(thumb)}" alt="first figure of {html.escape(title)}">' if thumb else ""
        items.append(
            f'<li><a href="{html.escape(href)}">{image}<span class="title">{html.escape(title)}</span></a>'
            f"<p>{html.escape(description)}</p></li>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>pcapframe notebooks</title>
<style>
body {{ font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}
ul {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1.5em; }}
li {{ width: 320px; }}
img {{ width: 320px; height: 200px; object-fit: contain; border: 1px solid #ccc; display: block; }}
.title {{ font-weight: bold; display: block; margin-top: .4em; }}
</style></head>
<body>
<h1>pcapframe notebooks</h1>
<p>Packet captures as polars DataFrames in Rust notebooks, executed on <code>fixtures/dorm-room.pcap</code>.</p>
<ul>
{chr(10).join(items)}
</ul>
</body></html>
"""
    path = pathlib.Path(out_dir) / "index.html"
    path.write_text(page)
    return path
