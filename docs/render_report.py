"""Render the HTML report of a real evaluation in headless Chromium: the screenshots README shows.

Usage (Adult: a 5-epoch model fitted on 5000 training rows, 5000 synthetic rows, 5000 test rows)::

    python docs/render_report.py REAL.csv SYNTHETIC.csv --test TEST.csv --target income \\
        --model adult.tabgan --out docs/images

It writes ``report.html`` (the whole report) and one PNG per part of the page, each rendered
from the report's own HTML and CSS at 1280 px wide and trimmed of empty space:
``report_verdict.png`` (what was compared, the verdict, advice), ``report_columns.png``
(column shapes worst first, marginals), ``report_pairs.png`` (pair trends, the worst pairs,
the association matrices) and ``report_detection_privacy.png``. Needs ``chromium`` (Debian:
``apt-get install chromium``) and Pillow (installed with matplotlib).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

from tabgan.evaluate import evaluate
from tabgan.io import read_table

#: page parts: output name -> the <h2> headings (their first words) the part holds
PARTS = {
    "report_verdict": ("What was compared", "Verdict"),
    "report_columns": ("Column shapes",),
    "report_pairs": ("Column pair trends",),
    "report_detection_privacy": ("Detection", "Privacy"),
}
WIDTH = 1280


def _sections(page: str) -> tuple[str, str, list[str]]:
    """Split the report into its head, its <h1> and the sections starting at each <h2>."""
    body_at = page.index("<body>") + len("<body>")
    head, body = page[:body_at], page[body_at:].replace("</body></html>", "")
    pieces = re.split(r"(?=<h2>)", body)
    return head, pieces[0], pieces[1:]


def _shoot(chromium: str, html_text: str, png: Path, height: int = 12000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder, "part.html")
        page.write_text(html_text, encoding="utf-8")
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={WIDTH},{height}",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    _trim(png)


def _trim(png: Path, margin: int = 24) -> None:
    """Cut the white space below (and beside) the content."""
    image = Image.open(png).convert("RGB")
    background = Image.new("RGB", image.size, (255, 255, 255))
    box = ImageChops.difference(image, background).getbbox()
    if box is None:
        return
    left, top, right, bottom = box
    image.crop(
        (
            max(0, left - margin),
            max(0, top - margin),
            min(image.width, right + margin),
            min(image.height, bottom + margin),
        )
    ).save(png, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("real", type=Path)
    parser.add_argument("synthetic", type=Path)
    parser.add_argument("--test", type=Path)
    parser.add_argument("--target")
    parser.add_argument("--model", type=Path, help="read the column kinds from this model")
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()

    schema = None
    settings = {}
    if args.model is not None:
        from tabgan.model import TabGAN

        schema = TabGAN.load(args.model).encoder_.schema_
        settings["model (column kinds)"] = args.model.name
    result = evaluate(
        read_table(args.real),
        read_table(args.synthetic),
        target=args.target,
        test=read_table(args.test) if args.test else None,
        schema=schema,
        names={"real": args.real.name, "synthetic": args.synthetic.name}
        | ({"test": args.test.name} if args.test else {}),
        settings=settings,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    page = result.to_html()
    (args.out / "report.html").write_text(page, encoding="utf-8")
    head, title, sections = _sections(page)
    for name, headings in PARTS.items():
        chosen = [s for s in sections if s[len("<h2>") :].startswith(headings)]
        top = title if name == "report_verdict" else ""
        _shoot(
            args.chromium, head + top + "".join(chosen) + "</body></html>", args.out / f"{name}.png"
        )
        print(f"wrote {args.out / name}.png")
    print(result.summary())


if __name__ == "__main__":
    main()
