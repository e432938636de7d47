"""Helpers the tests share (fixtures that use them are in ``tests/conftest.py``)."""

import contextlib
import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from bench.harness import RedisServer, free_port  # noqa: F401  (shared with the benchmarks)

PASSWORD = "a-long-test-password"
ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
STARTUP_SECONDS = 30
CHROMIUM = "/usr/bin/chromium"  # Debian's; a test never downloads a browser of its own
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def keep_screenshot(page, name: str) -> None:
    """With SHOTS=folder in the environment, a full-page screenshot of the screen a browser
    test is on, to look at it; without it, nothing."""
    folder = os.environ.get("SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@contextlib.contextmanager
def refused_port():
    """A loopback port that refuses connections for as long as the block lasts: bound and never
    listening, so no other process (a concurrent run's servers) can take it meanwhile, as a
    port merely released by free_port could be."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def require(ok: bool, message: str) -> None:
    """Skip a test whose tool or service is missing; with REQUIRE_TOOLS=1 (as in CI) fail."""
    if ok:
        return
    if os.environ.get("REQUIRE_TOOLS") == "1":
        pytest.fail(f"REQUIRE_TOOLS=1 but {message}")
    pytest.skip(message)


def require_tool(path, install: str) -> None:
    require(os.path.exists(path), f"{path} is missing ({install})")


def media_files(folder: str = "") -> set[str]:
    """Every file under MEDIA_ROOT (or its ``folder``), as names relative to it."""
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in (root / folder).rglob("*") if p.is_file()}


def answer_prompts(page, answers) -> list[str]:
    """Answer the page's prompts with ``answers`` in turn and accept its alerts; returns the
    alerts' messages as they come (the body editor's menu asks and refuses this way)."""
    answers = iter(answers)
    alerts: list[str] = []

    def answer(dialog):
        if dialog.type == "prompt":
            dialog.accept(next(answers))
        else:
            alerts.append(dialog.message)
            dialog.accept()

    page.on("dialog", answer)
    return alerts


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Log ``page`` into the admin at ``base`` through its login form."""
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)


def redis_server_available() -> bool:
    return shutil.which("redis-server") is not None


def redis_cache(url: str, **options) -> dict:
    """A CACHES entry for newsroom.cache.RedisCache with a key prefix of its own."""
    return {
        "BACKEND": "newsroom.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}",
        # Generous: the machine running the tests may be busy (fault tests set their own).
        "OPTIONS": {"timeout": 1.0, "retry_after": 0.5, **options},
    }


def wait_until_available(cache, seconds: float = 10) -> None:
    """Until newsroom.cache.RedisCache's breaker has closed again (bounded)."""
    if not hasattr(cache, "guarded"):
        return
    deadline = time.monotonic() + seconds
    while not (cache.guarded(cache.client.ping, False) and cache.available):
        if time.monotonic() > deadline:
            raise RuntimeError("the cache did not come back")
        time.sleep(0.05)


# gunicorn (and nginx in front of it) as production runs them


def get(port, path, headers=None, timeout=10):
    """Status, headers and body of one GET to 127.0.0.1:``port``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def collect_static(env, command=("collectstatic", "--no-input", "-v0")) -> None:
    """``manage.py`` with ``command`` (collectstatic by default) in ``env``; it must pass."""
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextlib.contextmanager
def gunicorn(env, stdout: Path, workers: int = 1):
    """gunicorn with gunicorn.conf.py on a free loopback port, until it answers /healthz;
    yields the port, and stops it (by its PID) afterwards."""
    port = free_port()
    with stdout.open("w") as out:
        command = [GUNICORN, "-c", "gunicorn.conf.py", "newsroom.wsgi"]
        process = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{stdout.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextlib.contextmanager
def nginx_front(prefix: Path, upstream_port: int, static_root: Path, media_root: Path):
    """nginx with deploy/nginx/ (newsroom.front) on a free loopback port in front of
    gunicorn at ``upstream_port``; yields its port; stopped by its PID afterwards."""
    from newsroom import front

    require_tool(front.NGINX, "apt-get install nginx")
    require_tool(front.HEADERS_MORE, "apt-get install libnginx-mod-http-headers-more-filter")
    port = free_port()
    front.start(
        prefix,
        listen=f"127.0.0.1:{port}",
        upstream=f"127.0.0.1:{upstream_port}",
        static_root=static_root,
        media_root=media_root,
    )
    try:
        yield port
    finally:
        front.stop(prefix)


class PostgresServer:
    """A throwaway PostgreSQL cluster (Debian's binaries, run as the ``postgres`` user, as
    initdb refuses root) on a free loopback port, to stop and start at will; never the
    shared one on 5432. Its folder is removed by ``remove()``."""

    def __init__(self):
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        require(bool(versions), "PostgreSQL's binaries are missing (apt-get install postgresql)")
        self.bin = versions[-1].parent
        self.folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.port = free_port()
        self._as_postgres(
            [self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        )

    def _as_postgres(self, command, timeout=120):
        line = " ".join(shlex.quote(str(part)) for part in command)
        subprocess.run(
            ["su", "postgres", "-c", line], check=True, capture_output=True, timeout=timeout
        )

    def url(self, database="postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            [
                self.bin / "pg_ctl",
                "-D",
                self.data,
                "-o",
                options,
                "-l",
                self.folder / "log",
                "-w",
                "start",
            ]
        )

    def stop(self) -> None:
        self._as_postgres([self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def totp_code(device) -> str:
    """The next code the server accepts from a django-otp TOTP device, as an authenticator app
    would show it.

    django-otp remembers the last step it accepted (``last_t``, never accepted again) and the
    drift it saw (a code made just before a step boundary and checked just after it leaves a
    drift of -1). So the code is for the step the server expects now, or the one after the last
    it accepted when that is later; computing "now" alone fails about once in a hundred runs,
    when a boundary falls between two logins."""
    import time

    from django_otp.oath import hotp

    device.refresh_from_db()
    now_step = (int(time.time()) - device.t0) // device.step
    counter = max(now_step + device.drift, device.last_t + 1)
    return f"{hotp(device.bin_key, counter, device.digits):0{device.digits}d}"
