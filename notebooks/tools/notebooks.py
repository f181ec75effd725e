#!/usr/bin/env python3
"""Register the Rust kernel, execute the notebooks headless, render them, and check them.

    notebooks.py kernel --cache DIR     register kernelspec "pcapframe-rust" (evcxr, build dir in DIR)
    notebooks.py run --out DIR          execute every notebook; write executed .ipynb and .html, the
                                        students' versions of notebooks with exercises, and index.html
    notebooks.py check --out DIR        check that DataFrames live across cells, run, then fail on
                                        errors, stderr, missing figures or tables, outputs that differ
                                        from the committed ones, a students' version holding a solution,
                                        a case notebook whose last cell misses the answer, or an index
                                        or page that headless Chromium shows badly (broken link,
                                        missing image, empty table)
    notebooks.py update --out DIR       run, then write the outputs back into notebooks/ (to commit)

Cells tagged "figure" must produce an SVG, cells tagged "table" an HTML table, cells tagged "error"
exactly one short line on stdout (a failure shown as a message, not a backtrace). No cell may write to
stderr: evcxr forwards the child's stderr without waiting for it, so what a cell writes there (the
message of an `Err` that `?` returns, too) may arrive after the cell has finished and be lost.
Cells tagged "exercise" and "solution" make a teaching unit (teaching.py).
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

import nbformat

import browser
import index_page
import teaching

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "pcapframe-rust"


def log(message):
    print(message, flush=True)


ONLY = []  # notebook stems chosen with --only (all when empty)


def notebook_paths():
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not ONLY or p.stem in ONLY)


def same_tree(a, b):
    """Whether two folders hold the same files with the same contents."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


FOLDHASH = "foldhash-0.2.0"
FOLDHASH_PATCH = NOTEBOOKS / "patches" / f"{FOLDHASH}-fixed-seed.patch"


def registry_source(crate):
    """The unpacked source of CRATE (e.g. "foldhash-0.2.0") in cargo's registry, fetched if missing."""
    cargo_home = pathlib.Path(os.environ.get("CARGO_HOME", pathlib.Path.home() / ".cargo"))
    found = sorted(cargo_home.glob(f"registry/src/*/{crate}"))
    if not found:
        log(f"==> cargo fetch (for {crate})")
        subprocess.run(["cargo", "fetch", "--manifest-path", str(ROOT / "Cargo.toml")], check=True)
        found = sorted(cargo_home.glob(f"registry/src/*/{crate}"))
    if not found:
        raise SystemExit(f"{crate} is not in cargo's registry ({cargo_home}/registry/src) even after cargo fetch")
    return found[-1]


def patched_foldhash(cache):
    """foldhash from cargo's registry with our patch (notebooks/patches/README.md) applied, in the cache.

    Replaced only when its sources change: new file times alone would make cargo rebuild polars.
    """
    dest = cache / "vendor" / "foldhash"
    stamp = cache / "vendor" / "foldhash.patch"  # outside dest: cargo watches every file in a path crate
    patch = f"{FOLDHASH}\n" + FOLDHASH_PATCH.read_text()
    if dest.exists() and stamp.exists() and stamp.read_text() == patch:
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        fresh = pathlib.Path(tmp) / FOLDHASH
        shutil.copytree(registry_source(FOLDHASH), fresh)
        # git apply works outside a repository like patch(1); git is there: this is a clone.
        subprocess.run(["git", "apply", "--whitespace=nowarn", str(FOLDHASH_PATCH)], cwd=fresh, check=True)
        if "pcapframe notebooks: every evcxr cell" not in (fresh / "src/seed.rs").read_text():
            raise SystemExit(f"{FOLDHASH_PATCH.name} did not apply to {fresh} (git apply inside another repository?)")
        if not (dest.exists() and same_tree(fresh / "src", dest / "src") and filecmp.cmp(fresh / "Cargo.toml", dest / "Cargo.toml", shallow=False)):
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(fresh, dest)
            log(f"    {FOLDHASH} with {FOLDHASH_PATCH.name} in {dest}")
    stamp.write_text(patch)
    return dest


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
    patched = patched_foldhash(cache)
    # Dependencies (polars, plotters, pcapframe) optimised, cell code not: see evcxr.toml.
    config = f'[profile.dev.package."*"]\nopt-level = 2\n\n[patch.crates-io]\nfoldhash = {{ path = "{patched}" }}\n'
    if not (cache / ".cargo/config.toml").exists() or (cache / ".cargo/config.toml").read_text() != config:
        (cache / ".cargo/config.toml").write_text(config)
    log(f"kernel {KERNEL} registered in {dest} (build dir {cache / 'evcxr'})")


def execute(path, out_dir, render=True):
    """Executes the notebook at PATH on the pcapframe kernel; writes it (and its HTML) to OUT_DIR."""
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
    if render:
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
        streams = {"stdout": "", "stderr": ""}
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"{name} cell {i}: error {out.get('ename')}: {out.get('evalue')}")
            elif out.output_type == "stream":
                streams[out.get("name")] = streams.get(out.get("name"), "") + out.get("text", "")
            for mime in out.get("data", {}):
                kinds.add(mime)
        stdout, stderr = streams["stdout"], streams["stderr"]
        if stderr:
            found.append(f"{name} cell {i}: stderr: {stderr[:300]}")
        if "error" in tags:
            # A cell that demonstrates a failure must show it as one short line, not a backtrace.
            lines = stdout.strip().splitlines()
            if len(lines) != 1 or len(lines[0]) > 300 or re.search(r"panicked|backtrace|\{ ", stdout):
                found.append(f"{name} cell {i}: tagged error but it does not print one short message: {stdout[:300]!r}")
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


def figure_count(nb):
    return sum(1 for c in nb.cells if "figure" in c.get("metadata", {}).get("tags", []))


def answer_key():
    """The sender's IP address, MAC and campus account, as fixtures/README.md's answer key states them."""
    readme = (ROOT / "fixtures/README.md").read_text()
    key = readme[readme.index("### Answer key"):]
    ip, mac = re.search(r"\*\*(\d+\.\d+\.\d+\.\d+), MAC ([0-9a-f:]{17})", key).groups()
    account = re.search(r"`user=(\w+)`", key).group(1)
    return {"IP address": ip, "MAC": mac, "account": account}


def answer_problems(nb, name):
    """For a notebook whose metadata says it solves the case: does its last code cell name the answer?"""
    if not nb.metadata.get("pcapframe", {}).get("solves_case"):
        return []
    if os.environ.get("PCAPFRAME_CAPTURE"):
        return []  # another capture, another answer
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    shown = "".join(o.get("text", "") + json.dumps(o.get("data", {})) for o in last.get("outputs", []))
    return [f"{name}: the last cell does not name the sender's {what} {value}" for what, value in answer_key().items() if not names(shown, value)]


def names(text, value):
    """Whether TEXT names VALUE as a whole word (192.168.15.4 is not in 192.168.15.40)."""
    return re.search(rf"(?<!\w)(?<!\w[.:]){re.escape(value)}(?!\w|[.:]\w)", text) is not None


def cross_cell_check(out_dir):
    """Executes tools/cross-cell.ipynb: DataFrames made in one cell must be usable in the next ones."""
    nb = execute(NOTEBOOKS / "tools/cross-cell.ipynb", out_dir, render=False)
    found = problems(nb, "cross-cell.ipynb")
    for i, cell in enumerate(nb.cells):
        expected = cell.get("metadata", {}).get("expect")
        if expected is None:
            continue
        printed = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")
        if printed != expected:
            found.append(f"cross-cell.ipynb cell {i}: printed {printed!r}, expected {expected!r} (is the foldhash patch applied?)")
    return found


def index_order(path):
    """Where a notebook goes in the index: its metadata's "order" (the walkthrough before the case)."""
    return nbformat.read(path, as_version=4).metadata.get("pcapframe", {}).get("order", 99)


def run_all(out_dir):
    """Executes every notebook, writes the students' versions and the index; returns
    (problems, executed notebooks by path, pages and their figure counts)."""
    found, executed, pages, entries = [], {}, {}, []
    for path in sorted(notebook_paths(), key=index_order):
        nb = execute(path, out_dir)
        executed[path] = nb
        found += problems(nb, path.name) + answer_problems(nb, path.name)
        pages[path.stem + ".html"] = figure_count(nb)
        entries.append(index_page.entry(nb, path.stem, out_dir))
        if teaching.has_exercises(nb):
            students = teaching.student_version(nb)
            stem = path.stem + "-students"
            nbformat.write(students, out_dir / (stem + ".ipynb"))
            render_html(students, out_dir / (stem + ".html"))
            found += teaching.problems(nb, students, path.name)
            pages[stem + ".html"] = figure_count(students)
            entries.append(index_page.entry(students, stem, out_dir))
    index = index_page.write_index(entries, out_dir)
    log(f"    wrote {index}")
    return found, executed, pages


def cmd_run(args):
    failures, _, _ = run_all(pathlib.Path(args.out))
    for f in failures:
        log(f"PROBLEM {f}")
    return 1 if failures else 0


def cmd_check(args):
    out = pathlib.Path(args.out)
    failures = cross_cell_check(out)
    found, executed, pages = run_all(out)
    failures += found
    for path, nb in executed.items():
        committed = nbformat.read(path, as_version=4)
        fresh, old = outputs(nb), outputs(committed)
        stale = [i for i, (a, b) in enumerate(zip(fresh, old)) if a != b]
        if len(fresh) != len(old) or stale:
            failures.append(f"{path.name}: committed outputs are stale in code cells {stale} (run `make notebooks`)")
    log("==> chromium: out/index.html, its thumbnails, and every page it links")
    failures += browser.check_site(out / "index.html", pages)
    for f in failures:
        log(f"FAIL {f}")
    log(f"notebooks: {len(executed)} checked, {len(failures)} problems")
    return 1 if failures else 0


def cmd_update(args):
    """Executes the notebooks and stores their outputs in notebooks/ (to commit)."""
    found, executed, _ = run_all(pathlib.Path(args.out))
    for f in found:
        log(f"PROBLEM {f}")
    for path, nb in executed.items():
        nbformat.write(nb, path)
        log(f"    updated {path}")
        export_figures(nb, path.stem)
    return 1 if found else 0


def export_figures(nb, stem):
    """Saves each figure cell's SVG as notebooks/images/STEM-N.svg (the README shows one)."""
    images = NOTEBOOKS / "images"
    images.mkdir(exist_ok=True)
    n = 0
    for n, svg in enumerate(index_page.figures(nb), start=1):
        (images / f"{stem}-{n}.svg").write_text(svg)
    log(f"    {n} figures saved in {images}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    k = sub.add_parser("kernel")
    k.add_argument("--cache", required=True)
    for name in ("run", "check", "update"):
        p = sub.add_parser(name)
        p.add_argument("--out", required=True)
        p.add_argument("--only", action="append", default=[], help="this notebook (stem) only; repeatable")
    args = parser.parse_args()
    ONLY.extend(getattr(args, "only", []))
    return {"kernel": cmd_kernel, "run": cmd_run, "check": cmd_check, "update": cmd_update}[args.command](args) or 0


if __name__ == "__main__":
    sys.exit(main())
