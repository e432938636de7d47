"""Slow clients (slowloris: connections that send their headers a line every 2 s) held open
against the site, while normal readers keep asking: through the nginx front they answer at
once; straight at gunicorn's 2 sync workers, 2 such connections would stop everyone."""

import socket
import statistics
import threading
import time

from tests.faults.conftest import prepare_site, production_env
from tests.helpers import get, gunicorn, nginx_front

SLOW_CONNECTIONS = 50
HOLD_SECONDS = 8
LINE_EVERY = 2


def slow_clients(port, count, seconds, held):
    """``count`` connections, each sending a header line every LINE_EVERY s for ``seconds``
    and never finishing its request; ``held`` counts those still open at the end."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(sock)
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        time.sleep(LINE_EVERY)
        n += 1
        for sock in list(sockets):
            try:
                sock.sendall(f"X-Slow-{n}: {'a' * 10}\r\n".encode())
            except OSError:
                sockets.remove(sock)
    held.append(len(sockets))
    for sock in sockets:
        sock.close()


def readers(port, seconds) -> tuple[list[float], list]:
    """Normal requests one after another for ``seconds``: times (ms) and statuses."""
    times, statuses = [], []
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        i += 1
        started = time.perf_counter()
        try:
            status = get(port, f"/news/world-{i % 10 + 1}/?reader={i}", timeout=5)[0]
        except OSError as error:
            status = type(error).__name__
        times.append((time.perf_counter() - started) * 1000)
        statuses.append(status)
    return times, statuses


def p(values, percent):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def test_slow_clients_hold_nginx_not_the_workers(tmp_path, redis_server):
    env = production_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", redis_server.url)
    prepare_site(env)
    with (
        gunicorn(env, tmp_path / "gunicorn.log", workers=2) as app_port,
        nginx_front(tmp_path / "nginx", app_port, tmp_path / "static", tmp_path / "media") as port,
    ):
        quiet_times, _ = readers(port, 2)
        held = []
        attack = threading.Thread(
            target=slow_clients, args=(port, SLOW_CONNECTIONS, HOLD_SECONDS, held)
        )
        attack.start()
        time.sleep(0.5)
        times, statuses = readers(port, HOLD_SECONDS - 1)
        attack.join(timeout=HOLD_SECONDS + 30)

        # For comparison, two such connections straight at gunicorn (no assertion: this is
        # why the front is required).
        direct_held = []
        direct = threading.Thread(target=slow_clients, args=(app_port, 2, 4, direct_held))
        direct.start()
        time.sleep(0.5)
        direct_times, direct_statuses = readers(app_port, 2)
        direct.join(timeout=40)

    ok = statuses.count(200)
    print(
        f"\n{SLOW_CONNECTIONS} slow connections held {HOLD_SECONDS} s through nginx "
        f"({held[0]} still open at the end): {ok}/{len(statuses)} normal requests 200, "
        f"p50 {statistics.median(times):.1f} ms, p99 {p(times, 99):.1f} ms "
        f"(without slow clients: p50 {statistics.median(quiet_times):.1f} ms). Lost: "
        f"{len(statuses) - ok}. Straight at gunicorn with 2 slow connections: "
        f"{direct_statuses.count(200)}/{len(direct_statuses)} answered, slowest "
        f"{max(direct_times):.0f} ms."
    )
    assert held[0] == SLOW_CONNECTIONS  # nginx held every one of them open
    assert len(statuses) >= 20
    assert ok == len(statuses), statuses
    assert p(times, 99) < 1000
