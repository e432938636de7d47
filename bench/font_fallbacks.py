"""Metric-matched fallback faces for the site's fonts, computed from the font files.

    .venv/bin/python bench/font_fallbacks.py           # print the @font-face rules
    .venv/bin/python bench/font_fallbacks.py --write   # put them into static/css/site.css
    .venv/bin/python bench/font_fallbacks.py --check   # exit 1 if site.css differs

With `font-display: swap` a reader whose fonts arrive after the first paint sees the text in a
local font first. These faces make that local font (Times New Roman or Liberation Serif for
Source Serif 4, Arial or Liberation Sans for Source Sans 3; Liberation is metric-compatible
with Times and Arial, so one set of figures fits both) take the room the web font will take:

- ``size-adjust`` scales the local font so its average advance equals the web font's, the
  average weighted by how often each character occurs in the demo stories' text (headlines,
  summaries, bodies), so a line holds the same words in both and wraps in the same place;
- ``ascent-override``, ``descent-override`` and ``line-gap-override`` give it the web font's
  vertical metrics (its hhea figures, which equal its typo figures and which Chromium uses),
  divided by ``size-adjust`` because the browser scales them by it too.

Needs fontTools with brotli (the dev extras) and fonts-liberation (Debian's package).
"""

import argparse
import collections
import re
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "static" / "fonts"
LIBERATION = Path("/usr/share/fonts/truetype/liberation")
CSS = ROOT / "static" / "css" / "site.css"
STORIES = ROOT / "articles" / "demo" / "stories"
BEGIN = "/* Fallback faces: bench/font_fallbacks.py --write */"
END = "/* End of fallback faces */"

# (family, weight, web font file, local fallbacks by full name, the fallback's file here)
FACES = [
    (
        "Source Serif 4",
        400,
        "source-serif-4-latin-400-normal.woff2",
        ["Times New Roman", "Liberation Serif"],
        "LiberationSerif-Regular.ttf",
    ),
    (
        "Source Serif 4",
        700,
        "source-serif-4-latin-700-normal.woff2",
        ["Times New Roman Bold", "Liberation Serif Bold"],
        "LiberationSerif-Bold.ttf",
    ),
    (
        "Source Sans 3",
        400,
        "source-sans-3-latin-400-normal.woff2",
        ["Arial", "Liberation Sans"],
        "LiberationSans-Regular.ttf",
    ),
    (
        "Source Sans 3",
        700,
        "source-sans-3-latin-700-normal.woff2",
        ["Arial Bold", "Liberation Sans Bold"],
        "LiberationSans-Bold.ttf",
    ),
]


def character_counts() -> collections.Counter:
    """How often each printable character occurs in the demo stories (front matter keys,
    Markdown marks and URLs left out)."""
    counts = collections.Counter()
    for story in sorted(STORIES.glob("*.md")):
        text = story.read_text()
        text = re.sub(r"^\s*[a-z_]+:\s*", "", text, flags=re.M)  # front matter keys
        text = re.sub(r"\S+://\S+|[#*_>\[\]()`-]{2,}|^---$", " ", text, flags=re.M)
        counts.update(ch for ch in text if ch.isprintable())
    return counts


def average_advance(font: TTFont, counts: collections.Counter) -> float:
    """The frequency-weighted advance of the characters both fonts have, in ems."""
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    total = sum(metrics[cmap[ord(ch)]][0] * n for ch, n in counts.items())
    return total / sum(counts.values()) / font["head"].unitsPerEm


def percent(value: float) -> str:
    return f"{value * 100:.2f}%"


def rules() -> str:
    counts = character_counts()
    lines = [BEGIN]
    for family, weight, web_file, local_names, local_file in FACES:
        web = TTFont(FONTS / web_file)
        local = TTFont(LIBERATION / local_file)
        shared = set(web.getBestCmap()) & set(local.getBestCmap())
        common = collections.Counter({ch: n for ch, n in counts.items() if ord(ch) in shared})
        size = average_advance(web, common) / average_advance(local, common)
        em = web["head"].unitsPerEm
        hhea = web["hhea"]
        sources = ", ".join(f'local("{name}")' for name in local_names)
        lines.append(
            f'@font-face {{ font-family: "{family} Fallback"; font-style: normal; '
            f"font-weight: {weight}; src: {sources}; size-adjust: {percent(size)}; "
            f"ascent-override: {percent(hhea.ascent / em / size)}; "
            f"descent-override: {percent(-hhea.descent / em / size)}; "
            f"line-gap-override: {percent(hhea.lineGap / em / size)}; }}"
        )
    lines.append(END)
    return "\n".join(lines)


def written(css: str, block: str) -> str:
    """``css`` with its fallback block replaced by ``block`` (added after the web fonts'
    @font-face rules when it has none)."""
    if BEGIN in css:
        start, end = css.index(BEGIN), css.index(END) + len(END)
        return css[:start] + block + css[end:]
    last = css.rindex("@font-face")
    cut = css.index("\n", last) + 1
    return css[:cut] + block + "\n" + css[cut:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="write them into site.css")
    action.add_argument("--check", action="store_true", help="exit 1 if site.css differs")
    args = parser.parse_args()
    block = rules()
    css = CSS.read_text()
    if args.write:
        CSS.write_text(written(css, block))
    elif args.check:
        if written(css, block) != css:
            print(f"{CSS.relative_to(ROOT)}: the fallback faces are out of date", file=sys.stderr)
            return 1
    else:
        print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
