"""Lighthouse (mobile) on the home, article, section and search pages: the median of three runs.

    make lighthouse                                     # the demo, served as `make serve` does
    .venv/bin/python bench/lighthouse.py --serve [--port 8010] [--runs 3]
    .venv/bin/python bench/lighthouse.py http://127.0.0.1:8000   # a site already running

Lighthouse is heavy on a 2-core machine, so it is not part of `make test` (the suite checks
what is cheaper: image sizes, layout shift, bytes, axe, the Nu checker). It drives Debian's
Chromium (never a downloaded one) from the npm package `make lighthouse` installs in
`.lighthouse/`. Each page is run ``--runs`` times (a single run's performance score moves by a
few points with the machine's load); a run that Chromium loses (NO_NAVSTART, a protocol
timeout) is tried again, at most twice. The JSON reports stay in `.lighthouse/reports/`
(<page>-<run>.json). It prints a table of the median of each category per page, with the
median layout shift (CLS), largest contentful paint and total blocking time, names the audits
that kept a median below 100, and exits 1 unless every median is 100.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402 - after the path that makes bench importable

CLI = ROOT / ".lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = ROOT / ".lighthouse" / "reports"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
FLAGS = (
    "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
    " --disable-component-update --disable-sync"
)
# Failures that say Chromium lost the page (the machine was busy), not that the page is wrong.
RETRYABLE = ("NO_NAVSTART", "PROTOCOL_TIMEOUT", "NO_FCP", "PAGE_HUNG", "Protocol error")
ATTEMPTS = 3


class RunFailed(Exception):
    pass


def pages(base: str) -> dict[str, str]:
    with urllib.request.urlopen(base + "/", timeout=30) as response:  # noqa: S310 - loopback
        home = response.read().decode()
    article = re.search(r'class="card__headline"><a href="(/news/[^"]+/)"', home).group(1)
    section = re.search(r'href="(/section/[^"]+/)"', home).group(1)
    return {"home": "/", "article": article, "section": section, "search": "/search/?q=water"}


def lighthouse(url: str, out: Path, chrome_port: int) -> dict:
    """One Lighthouse run of ``url``, its JSON report written to ``out``; RunFailed if
    Lighthouse or the page load failed."""
    out.unlink(missing_ok=True)
    try:
        done = subprocess.run(
            [
                "node",
                str(CLI),
                url,
                f"--chrome-flags={FLAGS}",
                f"--port={chrome_port}",
                "--output=json",
                f"--output-path={out}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--quiet",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired as exc:
        raise RunFailed("PAGE_HUNG: lighthouse ran for more than 300 s") from exc
    report = json.loads(out.read_text()) if out.exists() else {}
    error = report.get("runtimeError") or {}
    if done.returncode or error or not report:
        detail = error.get("code", "") + " " + error.get("message", "")
        raise RunFailed((detail.strip() or done.stderr.strip()[-500:]) or "no report")
    if any(report["categories"][name]["score"] is None for name in CATEGORIES):
        raise RunFailed("a category has no score")
    return report


def measured(report: dict) -> dict:
    audits = report["audits"]
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    return {
        **scores,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "short": sorted(
            audit["id"]
            for audit in audits.values()
            if audit.get("score") is not None
            and audit["score"] < 1
            and audit.get("scoreDisplayMode") in {"binary", "numeric", "metricSavings"}
        ),
    }


def run_page(name: str, url: str, run: int, chrome_port: int) -> dict:
    """One counted run, tried again (at most ATTEMPTS in all) when Chromium lost the page."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return measured(lighthouse(url, REPORTS / f"{name}-{run}.json", chrome_port))
        except RunFailed as exc:
            retry = attempt < ATTEMPTS and any(code in str(exc) for code in RETRYABLE)
            print(f"  {name} run {run} attempt {attempt} failed: {exc}", file=sys.stderr)
            if not retry:
                raise SystemExit(f"Lighthouse failed on {url}: {exc}") from None
    raise AssertionError("unreachable")


def medians(results: list[dict]) -> dict:
    row = {key: statistics.median(r[key] for r in results) for key in [*CATEGORIES, "cls"]}
    row |= {key: statistics.median(r[key] for r in results) for key in ["lcp", "tbt"]}
    return row


def table(rows: dict[str, dict], runs: int) -> str:
    head = ["page", *CATEGORIES, "CLS", "LCP ms", "TBT ms"]
    lines = [
        f"Lighthouse 12 (mobile), median of {runs} runs",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for name, row in rows.items():
        cells = [name, *(f"{row[c]:g}" for c in CATEGORIES)]
        cells += [f"{row['cls']:.3f}", f"{row['lcp']:.0f}", f"{row['tbt']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def serve_environment() -> dict:
    """The demo database under gunicorn in production mode, as `make serve` runs it without
    Redis: nothing cached, every page rendered for Lighthouse."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "lighthouse-run-only-" + "x" * 40),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOCAL_CACHE": "none",
        "PAGE_CACHE_SECONDS": "0",
        "REDIS_URL": "",
        "STATIC_ROOT": str(ROOT / ".lighthouse" / "static"),
    }


def measure(base: str, runs: int, chrome_port: int, only: list[str]) -> int:
    if not CLI.exists():
        raise SystemExit(f"{CLI} is missing: `make lighthouse` installs it")
    REPORTS.mkdir(parents=True, exist_ok=True)
    rows, short = {}, {}
    for name, path in pages(base).items():
        if name not in only:
            continue
        results = [run_page(name, base + path, n, chrome_port) for n in range(1, runs + 1)]
        rows[name] = medians(results)
        short[name] = sorted({audit for r in results for audit in r["short"]})
        print(f"  {name} ({path}): " + json.dumps([{c: r[c] for c in CATEGORIES} for r in results]))
    print(table(rows, runs))
    below = [name for name, row in rows.items() if any(row[c] < 100 for c in CATEGORIES)]
    for name in below:
        print(f"{name}: below 100; audits not passed in some run: {', '.join(short[name])}")
    print(f"reports: {REPORTS.relative_to(ROOT)}/<page>-<run>.json")
    return 1 if below else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", help="a site already running (else --serve)")
    parser.add_argument("--serve", action="store_true", help="serve the demo under gunicorn")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (--serve)")
    parser.add_argument("--chrome-port", type=int, default=0, help="Chromium's debugging port")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default="home,article,section,search", help="which pages")
    args = parser.parse_args()
    if args.serve == bool(args.url):
        parser.error("give a URL or --serve")
    chrome_port = args.chrome_port or (args.port + 1 if args.port else 0)
    if args.url:
        return measure(args.url.rstrip("/"), args.runs, chrome_port, args.pages.split(","))
    env = serve_environment()
    subprocess.run(
        [harness.PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with harness.gunicorn(env, ready="/healthz", port=args.port or None) as port:
        return measure(f"http://127.0.0.1:{port}", args.runs, chrome_port, args.pages.split(","))


if __name__ == "__main__":
    sys.exit(main())
