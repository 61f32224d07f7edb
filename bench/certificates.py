"""How fast certificates render, and how big each file is, for docgen's design and the alternatives.

    .venv/bin/python bench/certificates.py            # N = 24, 240 and 1000
    .venv/bin/python bench/certificates.py 10000      # the federation case (minutes)

Each (design, N) runs in its own process so peak RSS is its own. Designs:

- docgen: the real renderer (fonts cut once per run to the batch's characters, chunked layout,
  each page written on its own with Document.copy).
- naive: one WeasyPrint document per certificate, full bundled fonts by @font-face, the way a
  first implementation would do it (WeasyPrint subsets each font per document).
- split: all certificates in one WeasyPrint document, then pages split into files with pikepdf
  (fast, but every file carries the whole batch's font subset).

Prints ms per certificate, the median file size, peak RSS, and ratios against naive (same run).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = ROOT / "src" / "docgen" / "defaults"
SAMPLE = ROOT / "editions" / "quanyibei-21" / "edition.yaml"
DESIGNS = ("docgen", "naive", "split")


def make_edition(n: int, folder: Path) -> Path:
    """An edition with ``n`` winners: the sample's names and titles, numbered to stay unique."""
    import yaml

    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    base = [w for a in data["awards"] for w in a["winners"]]
    tiers = [dict(data["awards"][0], winners=[]), dict(data["awards"][1], winners=[])]
    for i in range(n):
        w = base[i % len(base)]
        unit = w["unit"] if i < len(base) else f"{w['unit']}{i // len(base) + 1}分会"
        tiers[i % 2]["winners"].append({"unit": unit, "activity": w["activity"]})
    data["awards"], data["photos"] = tiers, []
    path = folder / "edition.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_docgen(edition_path: Path, scratch: Path) -> list[int]:
    """The whole certificates output: per-unit files, certificates.pdf, the print file, the
    register and the proof sheet. Sizes are those of the per-unit files."""
    from docgen import edition
    from docgen.artifacts import Run
    from docgen.outputs import certificates

    run = Run(edition.load(edition_path), scratch)
    return [
        len(a.data)
        for a in certificates.render(run)
        if a.data is not None and a.name.startswith("certificates/")
    ]


def full_font_css() -> str:
    from docgen import fonts

    return "\n".join(
        f'@font-face {{ font-family: "{f.family}"; font-weight: {f.weight}; src: url("{f.path.as_uri()}"); }}'
        for f in fonts.faces()
    )


def full_html(edition_path: Path, per_certificate: bool) -> tuple[list[str], dict[str, bytes]]:
    """Complete certificates (design, text and seal on one page) from docgen's own template:
    one HTML per certificate, or all of them in one HTML; and the in-memory assets they use."""
    import re

    from docgen import certificate, edition, stock, templating
    from docgen.outputs import certificate_layers as layers
    from docgen.outputs import certificate_page as page

    loaded = edition.load(edition_path)
    certs = certificate.build(loaded)
    env = templating.environment(page.folders(loaded))
    assets = page.assets(loaded)

    def sections(html: str) -> list[str]:
        return re.findall(r'<section class="certificate">(.*?)</section>', html, re.S)

    plan = stock.Plan()
    design_html = layers._design_html(loaded, env, assets, 0, plan)
    design, seal = sections(design_html)[0], sections(layers._seal_html(loaded, env, assets))[0]
    head = design_html.split("<body>")[0]
    texts = sections(page.text_html(loaded, env, certs, assets, plan))
    pages = [f'<section class="certificate">{design}{text}{seal}</section>' for text in texts]
    htmls = (
        [f"{head}<body>{p}</body></html>" for p in pages]
        if per_certificate
        else [f"{head}<body>{''.join(pages)}</body></html>"]
    )
    return htmls, assets.memory


def run_naive(edition_path: Path, scratch: Path) -> list[int]:
    import weasyprint

    from docgen import pdf
    from docgen.outputs import certificate_page as certificates

    htmls, memory = full_html(edition_path, per_certificate=True)
    fetcher = pdf.Fetcher([certificates.TEMPLATES, DEFAULTS / "config", DEFAULTS / "fonts"], memory)
    css = full_font_css()
    sizes = []
    for html in htmls:
        config = pdf.FontConfiguration()
        sheet = weasyprint.CSS(string=css, url_fetcher=fetcher, font_config=config)
        doc = weasyprint.HTML(
            string=html, base_url=str(certificates.TEMPLATES) + "/", url_fetcher=fetcher
        )
        sizes.append(len(doc.write_pdf(stylesheets=[sheet], font_config=config)))
    return sizes


def run_split(edition_path: Path, scratch: Path) -> list[int]:
    import io

    import pikepdf
    import weasyprint

    from docgen import pdf
    from docgen.outputs import certificate_page as certificates

    [html], memory = full_html(edition_path, per_certificate=False)
    fetcher = pdf.Fetcher([certificates.TEMPLATES, DEFAULTS / "config", DEFAULTS / "fonts"], memory)
    config = pdf.FontConfiguration()
    sheet = weasyprint.CSS(string=full_font_css(), url_fetcher=fetcher, font_config=config)
    data = weasyprint.HTML(
        string=html, base_url=str(certificates.TEMPLATES) + "/", url_fetcher=fetcher
    ).write_pdf(stylesheets=[sheet], font_config=config)
    sizes = []
    with pikepdf.open(io.BytesIO(data)) as whole:
        for page in whole.pages:
            with pikepdf.Pdf.new() as one:
                one.pages.append(page)
                buffer = io.BytesIO()
                one.save(buffer)
                sizes.append(len(buffer.getvalue()))
    return sizes


RUNNERS = {"docgen": run_docgen, "naive": run_naive, "split": run_split}


def one(design: str, n: int) -> dict[str, float]:
    """Measure one design at one N, in this process (called through a subprocess)."""
    # Start-up (imports, fontconfig) is not what we measure: import what every runner uses.
    from docgen import artifacts, edition, pdf  # noqa: F401
    from docgen.outputs import certificate_page, certificates  # noqa: F401

    # Importing WeasyPrint runs ldconfig and gcc (ctypes.util.find_library): children of ~50 MB
    # that are not workers. ru_maxrss of children is a maximum, so a worker shows only above it.
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as tmp:
        edition_path = make_edition(n, Path(tmp))
        start = time.perf_counter()
        sizes = RUNNERS[design](edition_path, Path(tmp))
        seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers_mb = children_mb if children_mb > before else 0.0
    return {
        "ms_per_cert": seconds * 1000 / n,
        "median_kb": statistics.median(sizes) / 1024,
        "rss_mb": rss_mb,
        "workers_mb": workers_mb,
    }


def main(ns: list[int]) -> None:
    print(
        f"{'design':8} {'N':>6} {'ms/cert':>9} {'total s':>8} {'file KB':>8} {'peak MB':>8} {'workers MB':>10}  vs naive"
    )
    for n in ns:
        results = {}
        for design in DESIGNS:
            out = subprocess.run(
                [sys.executable, __file__, "--one", design, str(n)],
                capture_output=True,
                text=True,
                check=True,
            )
            results[design] = json.loads(out.stdout.strip().splitlines()[-1])
        base = results["naive"]["ms_per_cert"]
        for design, r in results.items():
            print(
                f"{design:8} {n:>6} {r['ms_per_cert']:>9.1f} {r['ms_per_cert'] * n / 1000:>8.1f} "
                f"{r['median_kb']:>8.0f} {r['rss_mb']:>8.0f} {_workers(r['workers_mb'])}"
                f"  {base / r['ms_per_cert']:>5.1f}× faster"
            )


def _workers(mb: float) -> str:
    return f"{mb:>10.0f}" if mb else f"{'-':>10}"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(sys.argv[2], int(sys.argv[3]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [24, 240, 1000])
