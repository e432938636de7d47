"""Screenshots and page checks of a running site, in Debian's Chromium.

    .venv/bin/python bench/shots.py http://127.0.0.1:8000 [OUT_DIR]

For the home, article, section and search pages at 390 px (a 3x phone) and 1366 px: a
full-page screenshot (OUT_DIR/<page>-<width>.png, docs/screenshots by default), every image's
chosen file against its displayed width times the pixel ratio, and the layout shift
(PerformanceObserver). It prints one line per page and size, and exits 1 if any image fetches
less than it shows or more than twice that, or anything shifted.
"""

import json
import re
import sys
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SIZES = {390: (390, 844, 3), 1366: (1366, 900, 1)}

# Per image: the width it shows at, and the width of the file the browser chose (from the
# rendition's name, "-800w.", or its natural width).
IMAGES_JS = """() => [...document.images].filter(i => i.currentSrc && i.getBoundingClientRect().width > 0)
  .map(i => ({src: i.currentSrc, shown: i.getBoundingClientRect().width, natural: i.naturalWidth,
              file: (i.currentSrc.match(/-(\\d+)w\\.[a-z]+$/) || [0, i.naturalWidth])[1] * 1}))"""

CLS_INIT = """window.__shift = 0; new PerformanceObserver(list => { for (const e of list.getEntries())
  if (!e.hadRecentInput) window.__shift += e.value; }).observe({type: 'layout-shift', buffered: true});"""


def pages(base: str) -> dict[str, str]:
    with urllib.request.urlopen(base + "/", timeout=20) as response:  # noqa: S310 - loopback
        home = response.read().decode()
    article = re.search(r'href="(/news/[^"]+/)"', home).group(1)
    section = re.search(r'href="(/section/[^"]+/)"', home).group(1)
    return {"home": "/", "article": article, "section": section, "search": "/search/?q=water"}


def check(page, scale: int) -> tuple[list[str], float]:
    problems = []
    for image in page.evaluate(IMAGES_JS):
        if image["src"].endswith(".svg"):
            continue
        need = image["shown"] * scale
        if not need <= image["file"] <= 2 * need:
            problems.append(
                f"{image['src'].rsplit('/', 1)[-1]}: file {image['file']} for {need:.0f}"
            )
    return problems, page.evaluate("window.__shift")


def main() -> int:
    base = sys.argv[1].rstrip("/")
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path in pages(base).items():
            for width, (w, h, scale) in SIZES.items():
                context = browser.new_context(
                    viewport={"width": w, "height": h}, device_scale_factor=scale
                )
                page = context.new_page()
                page.add_init_script(CLS_INIT)
                page.goto(base + path, wait_until="networkidle")
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_timeout(300)
                page.wait_for_load_state("networkidle")
                problems, shift = check(page, scale)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True, scale="css")
                height = page.evaluate("document.documentElement.scrollHeight")
                failed |= bool(problems) or shift > 0
                print(
                    json.dumps(
                        {
                            "page": name,
                            "width": width,
                            "height": height,
                            "cls": round(shift, 4),
                            "image_problems": problems,
                        }
                    )
                )
                context.close()
        browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
