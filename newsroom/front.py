"""The nginx front (``deploy/nginx/``): its configuration rendered, and nginx run in front of
gunicorn on this machine (``make front``, the tests, ``bench/front.py``).

    python -m newsroom.front render --listen 0.0.0.0:80 --upstream 127.0.0.1:8000 \\
        --static-root DIR --media-root DIR --cache-dir DIR      # newsroom.conf on stdout
    python -m newsroom.front run --prefix .front --listen 127.0.0.1:8080 \\
        --upstream 127.0.0.1:8000 --static-root DIR --media-root DIR

``run`` writes ``newsroom.conf`` and ``nginx.conf`` into the prefix, checks them (``nginx -t``)
and starts nginx there as a daemon (its PID in ``PREFIX/nginx.pid``); ``stop`` stops it by that
PID. The templates name their blanks ``${NEWSROOM_...}``; nginx's own ``$variables`` are left
alone. Loopback or any address; nothing here needs root.
"""

import argparse
import getpass
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEADERS_MORE = "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so"


def fill(template: str, values: dict[str, str]) -> str:
    text = (TEMPLATES / template).read_text()
    for name, value in values.items():
        text = text.replace("${NEWSROOM_" + name + "}", str(value))
    if "${NEWSROOM_" in text:
        raise ValueError(f"{template}: a blank is left: {text[text.index('${NEWSROOM_') :][:40]}")
    return text


def render(*, listen, upstream, static_root, media_root, cache_dir) -> str:
    """``newsroom.conf`` (the http-level part: microcache, upstream, server) filled in."""
    return fill(
        "newsroom.conf",
        {
            "LISTEN": listen,
            "UPSTREAM": upstream,
            "STATIC_ROOT": Path(static_root).resolve(),
            "MEDIA_ROOT": Path(media_root).resolve(),
            "CACHE_DIR": Path(cache_dir).resolve(),
        },
    )


def write(prefix, *, listen, upstream, static_root, media_root) -> Path:
    """Both files in ``prefix`` (made if need be); returns the main one."""
    prefix = Path(prefix).resolve()
    for folder in ("cache", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    site = render(
        listen=listen,
        upstream=upstream,
        static_root=static_root,
        media_root=media_root,
        cache_dir=prefix / "cache",
    )
    (prefix / "newsroom.conf").write_text(site)
    main = prefix / "nginx.conf"
    main.write_text(fill("local.conf", {"PREFIX": prefix, "USER": getpass.getuser()}))
    return main


def start(prefix, **options) -> int:
    """Write, check and start nginx in ``prefix``; returns its PID once it listens."""
    if not os.path.exists(NGINX):
        raise SystemExit("nginx is missing: apt-get install -y nginx")
    if not os.path.exists(HEADERS_MORE):
        raise SystemExit(
            "nginx's headers-more module is missing (it drops the Server header): "
            "apt-get install -y libnginx-mod-http-headers-more-filter"
        )
    prefix = Path(prefix).resolve()
    main = write(prefix, **options)
    command = [NGINX, "-c", str(main), "-p", f"{prefix}/", "-e", str(prefix / "error.log")]
    check = subprocess.run(  # noqa: S603 - nginx, with paths this module made
        [*command, "-t", "-q"], capture_output=True, text=True, check=False
    )
    if check.returncode:
        raise SystemExit(f"nginx refuses the configuration:\n{check.stderr}")
    subprocess.run(command, check=True, timeout=30)  # noqa: S603 - as above
    pidfile = prefix / "nginx.pid"
    deadline = time.monotonic() + 10
    while not (pidfile.exists() and pidfile.read_text().strip()):
        if time.monotonic() > deadline:
            raise SystemExit(f"nginx did not start:\n{(prefix / 'error.log').read_text()}")
        time.sleep(0.05)
    return int(pidfile.read_text())


def stop(prefix) -> None:
    """Stop the nginx started in ``prefix`` (by the PID in its pid file), and wait for it."""
    pidfile = Path(prefix).resolve() / "nginx.pid"
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("render", "run"):
        command = commands.add_parser(name)
        command.add_argument("--listen", default="127.0.0.1:8080")
        command.add_argument("--upstream", default="127.0.0.1:8000")
        command.add_argument("--static-root", default="staticfiles")
        command.add_argument("--media-root", default="media")
        if name == "render":
            command.add_argument("--cache-dir", default="/var/cache/nginx/newsroom")
        else:
            command.add_argument("--prefix", default=".front")
    commands.add_parser("stop").add_argument("--prefix", default=".front")
    args = parser.parse_args(argv)
    options = {
        key: getattr(args, key, None) for key in ("listen", "upstream", "static_root", "media_root")
    }
    if args.command == "render":
        sys.stdout.write(render(**options, cache_dir=args.cache_dir))
    elif args.command == "run":
        pid = start(args.prefix, **options)
        print(f"nginx (PID {pid}) on http://{args.listen}/ in front of {args.upstream}")
    else:
        stop(args.prefix)


if __name__ == "__main__":
    main()
