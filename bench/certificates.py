"""How fast certificates render, and how big each file is, for docgen's design and the alternatives.

    .venv/bin/python bench/certificates.py            # N = 24 and 240
    .venv/bin/python bench/certificates.py 24 240 1000

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


def full_html(edition_path: Path, per_certificate: bool) -> list[str]:
    """Complete certificates (design, text and seal on one page), from docgen's own template:
    one HTML per certificate, or all of them in one HTML."""
    import re

    from docgen import edition, templating
    from docgen.outputs import certificates as c

    loaded = edition.load(edition_path)
    certs = c.certificates(loaded)
    env = templating.environment(c.TEMPLATES)

    def inner(layer: str, chunk: list) -> list[str]:
        html = templating.render(env, c.TEMPLATE, c._context(loaded, layer, chunk))
        return re.findall(r'<section class="certificate">(.*?)</section>', html, re.S)

    design, seal = inner("design", [])[0], inner("seal", [])[0]
    head = templating.render(env, c.TEMPLATE, c._context(loaded, "design", [])).split("<body>")[0]
    pages = [
        f'<section class="certificate">{design}{text}{seal}</section>'
        for text in inner("text", certs)
    ]
    if per_certificate:
        return [f"{head}<body>{page}</body></html>" for page in pages]
    return [f"{head}<body>{''.join(pages)}</body></html>"]


def run_naive(edition_path: Path, scratch: Path) -> list[int]:
    import weasyprint

    from docgen import pdf
    from docgen.outputs import certificates

    htmls = full_html(edition_path, per_certificate=True)
    fetcher = pdf.Fetcher([certificates.TEMPLATES, ROOT / "config", ROOT / "fonts"], {})
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
    from docgen.outputs import certificates

    [html] = full_html(edition_path, per_certificate=False)
    fetcher = pdf.Fetcher([certificates.TEMPLATES, ROOT / "config", ROOT / "fonts"], {})
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
    from docgen import pdf  # noqa: F401 - start-up (imports, fontconfig) is not what we measure

    with tempfile.TemporaryDirectory() as tmp:
        edition_path = make_edition(n, Path(tmp))
        start = time.perf_counter()
        sizes = RUNNERS[design](edition_path, Path(tmp))
        seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "ms_per_cert": seconds * 1000 / n,
        "median_kb": statistics.median(sizes) / 1024,
        "rss_mb": rss_mb,
    }


def main(ns: list[int]) -> None:
    print(f"{'design':8} {'N':>6} {'ms/cert':>9} {'file KB':>9} {'peak MB':>9}  vs naive")
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
                f"{design:8} {n:>6} {r['ms_per_cert']:>9.1f} {r['median_kb']:>9.0f} {r['rss_mb']:>9.0f}"
                f"  {base / r['ms_per_cert']:>5.1f}× faster"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(sys.argv[2], int(sys.argv[3]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [24, 240])
