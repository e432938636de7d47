"""Lighthouse (mobile) on the home, article, section and search pages of a running site.

    make lighthouse                               # the demo, served as `make serve` does
    .venv/bin/python bench/lighthouse.py --serve PORT  # the same, by hand
    .venv/bin/python bench/lighthouse.py http://127.0.0.1:8000   # a site already running

Lighthouse is heavy on a 2-core machine, so it is not part of `make test` (the suite checks
what is cheaper: image sizes, layout shift, bytes, axe, the Nu checker). It runs Debian's
Chromium (never a downloaded one) from the npm package installed in `.lighthouse/` by
`make lighthouse`, prints each page's four scores and exits 1 unless every one is 100.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
FLAGS = "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"


def pages(base: str) -> dict[str, str]:
    with urllib.request.urlopen(base + "/", timeout=30) as response:  # noqa: S310 - loopback
        home = response.read().decode()
    article = re.search(r'class="card__headline"><a href="(/news/[^"]+/)"', home).group(1)
    section = re.search(r'href="(/section/[^"]+/)"', home).group(1)
    return {"home": "/", "article": article, "section": section, "search": "/search/?q=water"}


def run(url: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        subprocess.run(
            [
                "node",
                str(CLI),
                url,
                f"--chrome-flags={FLAGS}",
                "--output=json",
                f"--output-path={out}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--quiet",
            ],
            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
            check=True,
            timeout=300,
        )
        report = json.loads(out.read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = [
        audit["id"]
        for audit in report["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") in {"binary", "numeric"}
    ]
    return {"scores": scores, "not_perfect": failing[:12]}


def serve(port: int) -> subprocess.Popen:
    """The demo database under gunicorn in production mode, as `make serve` runs it (no
    Redis: nothing cached, every page rendered for Lighthouse)."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "lighthouse-run-only-" + "x" * 40),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOCAL_CACHE": "none",
        "PAGE_CACHE_SECONDS": "0",
    }
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "newsroom.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer")


def main() -> int:
    server = None
    if sys.argv[1] == "--serve":
        port = int(sys.argv[2])
        server = serve(port)
        base = f"http://127.0.0.1:{port}"
    else:
        base = sys.argv[1].rstrip("/")
    perfect = True
    try:
        for name, path in pages(base).items():
            result = run(base + path)
            perfect &= all(score == 100 for score in result["scores"].values())
            print(json.dumps({"page": name, "url": path, **result}), flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0 if perfect else 1


if __name__ == "__main__":
    sys.exit(main())
