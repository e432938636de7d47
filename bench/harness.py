"""What the benchmarks share: a free loopback port, the production-mode environment and
manage.py in it, their own PostgreSQL databases, a redis-server of their own, gunicorn as
`make serve` runs it, one GET, and one wrk run.

Loopback only; every wait is bounded; what is started here is stopped by its PID.
"""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
STATIC_ROOT = ROOT / "bench" / ".static"  # where settings read STATIC_ROOT from the environment
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def free_port() -> int:
    """A loopback port free now (bound, then released), for a server started there."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database_url: str, **extra) -> dict:
    """The environment of a server or command in production mode on loopback, as `make serve`
    runs it: DEBUG off, a throwaway secret, plain HTTP (no redirect to HTTPS), the collected
    static files of the benchmarks' own folder; ``extra`` adds to it or overrides it."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(STATIC_ROOT),
        **extra,
    }


def manage(env: dict, *args: str, capture: bool = True, timeout: float = 3600) -> str:
    """Run ``manage.py args`` in ``env``; its output (when captured). A failure stops the
    benchmark with the command and what it printed, not a bare exit status."""
    try:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=capture,
            text=True,
            timeout=timeout,
        )
    except subprocess.CalledProcessError as error:
        said = ((error.stdout or "") + (error.stderr or ""))[-3000:]
        raise SystemExit(
            f"manage.py {' '.join(args[:2])} failed ({error.returncode}):\n{said}"
        ) from None
    return result.stdout or ""


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def server_connection(url: str):
    """An autocommit connection to the server of ``url`` (its maintenance database)."""
    import psycopg

    return psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def ensure_database(url: str) -> bool:
    """Create the database of ``url`` if it is missing; True if it was created."""
    name = database_name(url)
    with server_connection(url) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def recreate_database(url: str, template: str | None = None) -> None:
    """(Re)create the database of ``url``, empty or as a copy of ``template`` (a URL)."""
    name = database_name(url)
    with server_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            return
        source = database_name(template)
        # A copy needs the source to itself: the benchmark's own connections are gone by now,
        # but their backends (or autovacuum) may linger a moment.
        for attempt in range(10):
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [source],
            )
            try:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
                return
            except Exception as exc:
                if "being accessed by other users" not in str(exc) or attempt == 9:
                    raise
                time.sleep(1)


class RedisServer:
    """A redis-server of its own on a free loopback port (nothing saved to disk, never the
    shared one on 6379), to stop, hang and wake at will; always by its PID. The tests use it
    too (tests.helpers)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.pidfile = folder / f"redis-{self.port}.pid"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        return int(self.pidfile.read_text())

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--pidfile",
                str(self.pidfile),
            ],
            check=True,
            capture_output=True,
            timeout=10,
        )
        self.wait(up=True)

    def stop(self) -> None:
        """Stop it and wait until its process is gone (its data go with it)."""
        if not self.pidfile.exists():
            return
        pid = self.pid
        self.wake()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        self.wait(up=False)

    def hang(self) -> None:
        """Connections stay open and nothing answers."""
        os.kill(self.pid, signal.SIGSTOP)

    def wake(self) -> None:
        with contextlib.suppress(ProcessLookupError, FileNotFoundError):
            os.kill(self.pid, signal.SIGCONT)

    def wait(self, *, up: bool) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG") and up:
                        return
            except OSError:
                if not up:
                    return
            time.sleep(0.02)
        raise RuntimeError(f"redis-server on port {self.port} did not {'start' if up else 'stop'}")


@contextlib.contextmanager
def redis_server(folder: Path):
    """A started RedisServer in ``folder``, always stopped afterwards."""
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def gunicorn(env: dict, *, ready: str = "/hello/", port: int | None = None):
    """gunicorn as `make serve` runs it (gunicorn.conf.py, 2 workers, its access log written,
    here to /dev/null), on ``port`` or a free loopback port; yields the port once ``ready``
    answers; always stopped afterwards."""
    port = port or free_port()
    command = [
        GUNICORN,
        "-c",
        "gunicorn.conf.py",
        "newsroom.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(port, ready, timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def get(port: int, path: str, timeout: float = 60) -> tuple[int, str]:
    """Status and Location of one GET (redirects are not followed)."""
    return fetch(port, path, timeout)[:2]


def fetch(port: int, path: str, timeout: float = 60) -> tuple[int, str, str]:
    """Status, Location and body of one GET."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": USER_AGENT})
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, response.getheader("Location") or "", body
    finally:
        conn.close()


def wrk(url: str, duration: int, connections: int = 16, script: str | None = None) -> dict:
    """Requests/s, p50, p99 and slowest answer (ms) of one wrk run, and wrk's note of
    non-2xx answers or socket errors (if any). ``script`` is a wrk Lua script."""
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "30s",  # wrk's default of 2 s would drop, not time, a slow page's answers
        "-H",
        f"User-Agent: {USER_AGENT}",
        "-H",
        "Accept-Encoding: gzip, deflate, br",
    ]
    if script:
        command += ["-s", script]
    out = subprocess.run(
        [*command, url], check=True, capture_output=True, text=True, timeout=duration + 60
    ).stdout

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(match.group(1)) * UNITS_MS[match.group(2)] if match else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    # "Latency   1.20ms  300.00us  12.00ms   90.00%": the third figure is the slowest answer.
    slowest = re.search(r"^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)", out, re.M)
    problems = " ".join(
        line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line
    )
    return {
        "rate": float(rate.group(1)) if rate else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
        "max": float(slowest.group(1)) * UNITS_MS[slowest.group(2)] if slowest else float("nan"),
        "note": problems,
    }
