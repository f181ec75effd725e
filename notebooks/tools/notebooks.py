#!/usr/bin/env python3
"""Register the Rust kernel, execute the notebooks headless, render them, and check them.

    notebooks.py kernel --cache DIR     register kernelspec "pcapframe-rust" (evcxr, build dir in DIR)
    notebooks.py run --out DIR          execute every notebook, write executed .ipynb and .html to DIR
    notebooks.py check --out DIR        run, then fail on errors, stderr, missing figures or tables,
                                        outputs that differ from the committed ones, or a rendered
                                        page that headless Chromium shows badly
    notebooks.py update --out DIR       run, then write the outputs back into notebooks/ (to commit)

Cells tagged "figure" must produce an SVG, cells tagged "table" an HTML table, cells tagged "error"
exactly one short line on stderr (a failure shown as a message, not a backtrace); no other cell may
write to stderr.
"""
import argparse
import filecmp
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "pcapframe-rust"


def log(message):
    print(message, flush=True)


def notebook_paths():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def same_tree(a, b):
    """Whether two folders hold the same files with the same contents."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def cmd_kernel(args):
    cache = pathlib.Path(args.cache).expanduser().resolve()
    evcxr = shutil.which("evcxr_jupyter") or str(pathlib.Path.home() / ".cargo/bin/evcxr_jupyter")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([evcxr, "--install"], env={**os.environ, "JUPYTER_PATH": tmp}, check=True, stdout=subprocess.DEVNULL)
        dest = pathlib.Path(sys.prefix) / "share/jupyter/kernels" / KERNEL
        shutil.copytree(pathlib.Path(tmp) / "kernels/rust", dest, dirs_exist_ok=True)
    spec = json.loads((dest / "kernel.json").read_text())
    spec["display_name"] = "Rust (pcapframe)"
    # Cells link the Rust standard library dynamically; its relative RUNPATH misses when the
    # build directory is not at the depth rustc assumed, so name the toolchain's libraries.
    sysroot = subprocess.check_output(["rustc", "--print", "sysroot"], text=True).strip()
    host = next(l.split()[1] for l in subprocess.check_output(["rustc", "-vV"], text=True).splitlines() if l.startswith("host:"))
    libs = [f"{sysroot}/lib/rustlib/{host}/lib", f"{sysroot}/lib"]
    spec["env"] = {"EVCXR_TMPDIR": str(cache / "evcxr"), "LD_LIBRARY_PATH": ":".join(libs)}
    (dest / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n")
    (cache / "evcxr").mkdir(parents=True, exist_ok=True)
    (cache / ".cargo").mkdir(parents=True, exist_ok=True)
    # foldhash with a fixed global seed (notebooks/vendor/README.md), copied into the cache only
    # when it changed: a fresh clone's newer file times must not rebuild polars.
    vendored = cache / "vendor/foldhash"
    source = NOTEBOOKS / "vendor/foldhash"
    if not vendored.exists() or filecmp.dircmp(source, vendored).diff_files or not same_tree(source, vendored):
        shutil.rmtree(vendored, ignore_errors=True)
        shutil.copytree(source, vendored)
    # Dependencies (polars, plotters, pcapframe) optimised, cell code not: see evcxr.toml.
    config = f'[profile.dev.package."*"]\nopt-level = 2\n\n[patch.crates-io]\nfoldhash = {{ path = "{vendored}" }}\n'
    if not (cache / ".cargo/config.toml").exists() or (cache / ".cargo/config.toml").read_text() != config:
        (cache / ".cargo/config.toml").write_text(config)
    log(f"kernel {KERNEL} registered in {dest} (build dir {cache / 'evcxr'})")


def execute(path, out_dir):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # evcxr finds its build output under EVCXR_TMPDIR/target: a CARGO_TARGET_DIR would move it.
    os.environ.pop("CARGO_TARGET_DIR", None)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    started = time.time()
    state = {"n": 0, "t": started}

    def on_cell_executed(cell, cell_index, execute_reply):
        state["n"] += 1
        now = time.time()
        log(f"   cell {state['n']:>2}/{len(code_cells)}  {now - state['t']:7.1f} s  {cell.source.splitlines()[0][:60] if cell.source else ''}")
        state["t"] = now

    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=2400,
        startup_timeout=3600,  # a cold start compiles polars, plotters and pcapframe
        allow_errors=True,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        on_cell_executed=on_cell_executed,
    )
    log(f"==> executing {path.name} (the first run compiles polars and plotters: about 15 minutes)")
    client.execute()
    log(f"    {path.name}: {time.time() - started:.0f} s")
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / path.name)
    render_html(nb, out_dir / (path.stem + ".html"))
    return nb


def render_html(nb, dest):
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    # The page must work offline: drop scripts and styles fetched from the network (MathJax,
    # require.js); our outputs are static SVG and HTML.
    html = re.sub(r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>', "", html)
    html = re.sub(r'<link[^>]*href="https?://[^"]*"[^>]*>', "", html)
    html = re.sub(r"<script[^>]*>\s*MathJax.*?</script>", "", html, flags=re.S)
    html = re.sub(r'<script type="text/x-mathjax-config">.*?</script>', "", html, flags=re.S)
    dest.write_text(html)
    log(f"    wrote {dest}")


def problems(nb, name):
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        kinds = set()
        stderr = ""
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"{name} cell {i}: error {out.get('ename')}: {out.get('evalue')}")
            elif out.output_type == "stream" and out.get("name") == "stderr":
                stderr += out.get("text", "")
            for mime in out.get("data", {}):
                kinds.add(mime)
        if "error" in tags:
            # A cell that demonstrates a failure must show it as one short line, not a backtrace.
            lines = stderr.strip().splitlines()
            if len(lines) != 1 or len(lines[0]) > 300 or re.search(r"panicked|backtrace|\{ ", stderr):
                found.append(f"{name} cell {i}: tagged error but its stderr is not one short message: {stderr[:300]!r}")
        elif stderr:
            found.append(f"{name} cell {i}: stderr: {stderr[:300]}")
        if "figure" in tags and "image/svg+xml" not in kinds:
            found.append(f"{name} cell {i}: tagged figure but produced {sorted(kinds)}")
        if "table" in tags and "text/html" not in kinds:
            found.append(f"{name} cell {i}: tagged table but produced {sorted(kinds)}")
    return found


def outputs(nb):
    """What a notebook shows, without execution counts or metadata."""
    result = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        shown = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                shown.append(("stream", out.get("name"), out.get("text")))
            elif out.output_type in ("display_data", "execute_result"):
                shown.append(("data", json.dumps(out.get("data", {}), sort_keys=True)))
            else:
                shown.append((out.output_type, out.get("ename"), out.get("evalue")))
        result.append((cell.source, shown))
    return result


def browser_check(html_path, figures):
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.set_window_size(1280, 1000)
        driver.get(html_path.resolve().as_uri())
        # nbconvert's lab template embeds an SVG output as an <img> with a data: URL (or inline <svg>).
        # A figure counts as drawn when it decoded (natural size) and occupies space on the page.
        sizes = driver.execute_script(
            """return Array.from(document.querySelectorAll('.jp-RenderedSVG img, .jp-RenderedSVG svg')).map(e => {
                 const r = e.getBoundingClientRect();
                 const decoded = e.tagName !== 'IMG' || (e.complete && e.naturalWidth > 0);
                 return decoded ? [r.width, r.height] : [0, 0];
               });"""
        )
        errors = [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    found = []
    if len(sizes) != figures:
        found.append(f"{html_path.name}: {len(sizes)} figures drawn, {figures} expected")
    found += [f"{html_path.name}: figure {i} drawn {w:.0f}x{h:.0f}" for i, (w, h) in enumerate(sizes) if w < 50 or h < 50]
    found += [f"{html_path.name}: console error: {e}" for e in errors]
    log(f"    chromium: {len(sizes)} figures, sizes {[(round(w), round(h)) for w, h in sizes]}, {len(errors)} console errors")
    return found


def cmd_run(args):
    failures = []
    for path in notebook_paths():
        nb = execute(path, pathlib.Path(args.out))
        failures += problems(nb, path.name)
    for f in failures:
        log(f"PROBLEM {f}")
    return 1 if failures else 0


def cmd_check(args):
    import nbformat

    out = pathlib.Path(args.out)
    failures = []
    for path in notebook_paths():
        committed = nbformat.read(path, as_version=4)
        nb = execute(path, out)
        failures += problems(nb, path.name)
        fresh, old = outputs(nb), outputs(committed)
        stale = [i for i, (a, b) in enumerate(zip(fresh, old)) if a != b]
        if len(fresh) != len(old) or stale:
            failures.append(f"{path.name}: committed outputs are stale in code cells {stale} (run `make notebooks`)")
        figures = sum(1 for c in nb.cells if "figure" in c.get("metadata", {}).get("tags", []))
        failures += browser_check(out / (path.stem + ".html"), figures)
    for f in failures:
        log(f"FAIL {f}")
    log(f"notebooks: {len(notebook_paths())} checked, {len(failures)} problems")
    return 1 if failures else 0


def cmd_update(args):
    import nbformat

    status = 0
    for path in notebook_paths():
        nb = execute(path, pathlib.Path(args.out))
        found = problems(nb, path.name)
        for f in found:
            log(f"PROBLEM {f}")
        status |= bool(found)
        nbformat.write(nb, path)
        log(f"    updated {path}")
        export_figures(nb, path.stem)
    return status


def export_figures(nb, stem):
    """Saves each figure cell's SVG as notebooks/images/STEM-N.svg (the README shows one)."""
    images = NOTEBOOKS / "images"
    images.mkdir(exist_ok=True)
    n = 0
    for cell in nb.cells:
        if "figure" not in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            svg = out.get("data", {}).get("image/svg+xml")
            if svg:
                n += 1
                (images / f"{stem}-{n}.svg").write_text(svg if isinstance(svg, str) else "".join(svg))
    log(f"    {n} figures saved in {images}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    k = sub.add_parser("kernel")
    k.add_argument("--cache", required=True)
    for name in ("run", "check", "update"):
        p = sub.add_parser(name)
        p.add_argument("--out", required=True)
    args = parser.parse_args()
    return {"kernel": cmd_kernel, "run": cmd_run, "check": cmd_check, "update": cmd_update}[args.command](args) or 0


if __name__ == "__main__":
    sys.exit(main())
