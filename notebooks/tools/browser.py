"""Headless Chromium checks of the rendered pages: figures drawn, tables not empty, links that lead
somewhere, images that decode, no console errors."""
import shutil
import tempfile
from urllib.parse import unquote, urlparse

# nbconvert's lab template embeds an SVG output as an <img> with a data: URL (or inline <svg>).
# A figure counts as drawn when it decoded (natural size) and occupies space on the page.
PAGE_REPORT = """
const drawn = e => {
  const r = e.getBoundingClientRect();
  const decoded = e.tagName !== 'IMG' || (e.complete && e.naturalWidth > 0);
  return decoded ? [r.width, r.height] : [0, 0];
};
return {
  title: document.title,
  notebook: document.querySelector('.jp-Notebook') !== null,
  figures: Array.from(document.querySelectorAll('.jp-RenderedSVG img, .jp-RenderedSVG svg')).map(drawn),
  images: Array.from(document.querySelectorAll('img')).map(e => [e.getAttribute('src').slice(0, 80), drawn(e)]),
  emptyTables: Array.from(document.querySelectorAll('.jp-OutputArea-output table'))
    .filter(t => t.querySelectorAll('td').length === 0).length,
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
};
"""


class Chromium:
    """One headless Chromium session; `report(url)` loads a page and describes it."""

    def __enter__(self):
        from selenium import webdriver

        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        self.profile = tempfile.mkdtemp()
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", f"--user-data-dir={self.profile}"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.set_window_size(1280, 1000)
        return self

    def __exit__(self, *exc):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def report(self, url):
        self.driver.get(url)
        found = self.driver.execute_script(PAGE_REPORT)
        found["errors"] = [e["message"] for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]
        return found


def notebook_problems(report, name, figures):
    """What is wrong with a rendered notebook's page that should show FIGURES figures."""
    found = []
    sizes = report["figures"]
    if not report["notebook"]:
        found.append(f"{name}: no notebook on the page")
    if len(sizes) != figures:
        found.append(f"{name}: {len(sizes)} figures drawn, {figures} expected")
    found += [f"{name}: figure {i} drawn {w:.0f}x{h:.0f}" for i, (w, h) in enumerate(sizes) if w < 50 or h < 50]
    if report["emptyTables"]:
        found.append(f"{name}: {report['emptyTables']} tables without a data cell")
    found += [f"{name}: console error: {e}" for e in report["errors"]]
    return found


def check_notebook(html_path, figures):
    """Opens one rendered notebook and returns its problems."""
    with Chromium() as browser:
        report = browser.report(html_path.resolve().as_uri())
    print(f"    chromium: {html_path.name}: {len(report['figures'])} figures, {report['emptyTables']} empty tables, {len(report['errors'])} console errors", flush=True)
    return notebook_problems(report, html_path.name, figures)


def check_site(index_path, figures_by_page):
    """Opens OUT/index.html, checks its images, follows every link and checks the page it leads to.

    FIGURES_BY_PAGE maps each rendered page's file name to the figures it must show; every one of
    them must be linked from the index.
    """
    found = []
    with Chromium() as browser:
        index = browser.report(index_path.resolve().as_uri())
        found += [f"index.html: console error: {e}" for e in index["errors"]]
        found += [f"index.html: image {src} not shown ({w:.0f}x{h:.0f})" for src, (w, h) in index["images"] if w < 50 or h < 50]
        linked = set()
        for link in index["links"]:
            url = urlparse(link)
            target = index_path.parent / unquote(url.path).split("/")[-1]
            if url.scheme != "file" or not target.is_file():
                found.append(f"index.html: broken link {link}")
                continue
            linked.add(target.name)
            report = browser.report(link)
            found += notebook_problems(report, target.name, figures_by_page.get(target.name, -1))
            print(f"    chromium: index -> {target.name}: {len(report['figures'])} figures, {report['emptyTables']} empty tables", flush=True)
        found += [f"index.html: no link to {page}" for page in sorted(set(figures_by_page) - linked)]
        if len(index["images"]) < len(figures_by_page):
            found.append(f"index.html: {len(index['images'])} thumbnails for {len(figures_by_page)} notebooks")
    return found
