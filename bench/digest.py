"""Digest benchmark: one digest to 10,000 and then 100,000 confirmed subscribers.

Runs against PostgreSQL (a separate database, newsroom_bench) and an SMTP sink on loopback
in its own process. For each list size it prints messages per second and the peak memory
(max RSS) of the sending process (`manage.py send_digest`) and, as the ceiling, the rate at
which the same messages are composed and sent over the same sink with no database reads or
writes at all: the ratio between the two is the share of the loop the database leaves.

    .venv/bin/python bench/digest.py [--sizes 10000 100000]
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import ensure_database, free_port, manage, production_env  # noqa: E402 - after the path above

PYTHON = sys.executable
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench")


def environment(port: int) -> dict:
    return production_env(
        BENCH_DB,
        EMAIL_BACKEND="smtp",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="0",
    )


SEED = """
import datetime as dt
from django.db import connection
from django.utils import timezone
from articles.models import Article
from newsletter.models import Delivery, Digest, Subscriber
Delivery.objects.all().delete(); Digest.objects.all().delete()
with connection.cursor() as c:
    c.execute("TRUNCATE newsletter_subscriber CASCADE")
now = timezone.now()
for start in range(0, {n}, 10000):
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{{i}}@example.com", status="confirmed", confirmed_at=now)
        for i in range(start, min(start + 10000, {n}))
    )
if not Article.objects.published().filter(slug="bench-story").exists():
    Article.objects.create(
        headline="Benchmark story", slug="bench-story", dek="A story for the digest benchmark.",
        body="<p>Body.</p>", status="published", published_at=now - dt.timedelta(minutes=5),
    )
Article.objects.filter(slug="bench-story").update(published_at=now - dt.timedelta(minutes=5))
print(Subscriber.objects.count())
"""


def sink(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "smtp_sink.py"), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def send_digest(env) -> tuple[float, float]:
    """Seconds taken and peak RSS (MiB) of one `manage.py send_digest` process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "send_digest", "--since", "2000-01-01T00:00:00+00:00"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("send_digest failed")
    return elapsed, usage.ru_maxrss / 1024


NO_DATABASE = """
import time
from django.core.mail import mailers
from newsletter.emails import digest_content
from newsletter.models import Digest
content = digest_content(Digest.objects.latest("created_at"))
start = time.perf_counter()
for first in range(0, {n}, 200):
    with mailers.default as connection:
        for i in range(first, min(first + 200, {n})):
            url = f"https://news.example/newsletter/unsubscribe/token-{{i}}/"
            connection.send_messages([content.message(f"reader{{i}}@example.com", url)])
print({n} / (time.perf_counter() - start))
"""


DATABASE_ONLY = """
import time
from newsletter import sending
from newsletter.models import Delivery, Digest, Subscriber
digest = Digest.objects.create(subject="db only", since="2000-01-01T00:00Z", until="2000-01-01T00:00Z")
sending._commit_without_waiting_for_disk()
start, done, after = time.perf_counter(), 0, 0
while done < {n}:
    batch = list(sending.pending_recipients(digest).filter(pk__gt=after).order_by("pk").only("email")[:200])
    if not batch:
        break
    dict(Delivery.objects.filter(digest=digest, subscriber__in=batch).values_list("subscriber_id", "attempts"))
    for subscriber in batch:
        sending._record(digest, subscriber, 1)
    done, after = done + len(batch), batch[-1].pk
print(done / (time.perf_counter() - start))
digest.delete()
"""


def database_only_rate(env, n: int) -> float:
    """Rows per second for the loop's database work alone (batch reads, one write per
    message), with no message composed or sent."""
    output = manage(env, "shell", "-c", DATABASE_ONLY.format(n=n))
    return float(output.split()[-1])


def no_database_rate(env, n: int) -> float:
    """Messages per second for the same messages over the same sink, composed and sent by
    Django's SMTP backend with no database reads or writes: the ceiling for the send loop."""
    output = manage(env, "shell", "-c", NO_DATABASE.format(n=n))
    return float(output.split()[-1])


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    port = free_port()
    env = environment(port)
    ensure_database(BENCH_DB)
    manage(env, "migrate", "--no-input", "-v0")
    server = sink(port)
    rows = []
    try:
        for n in args.sizes:
            manage(env, "shell", "-c", SEED.format(n=n))
            seconds, peak = send_digest(env)
            ceiling = no_database_rate(env, min(n, 20_000))
            database = database_only_rate(env, min(n, 20_000))
            rows.append((n, n / seconds, peak, ceiling, database))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"{'subscribers':>12} {'msgs/s':>7} {'peak MiB':>9} {'no-DB msgs/s':>13} {'ratio':>6}"
        f" {'DB-only rows/s':>15} {'DB share':>9}"
    )
    for n, rate, peak, ceiling, database in rows:
        share = rate / database  # the fraction of each message's time spent in the database
        print(
            f"{n:>12,} {rate:>7.0f} {peak:>9.1f} {ceiling:>13.0f} {rate / ceiling:>6.2f}"
            f" {database:>15.0f} {share:>9.0%}"
        )
    if len(rows) > 1:
        growth = rows[-1][2] / rows[0][2]
        verdict = "met" if growth <= 1.2 else "NOT met"
        first, last = rows[0][0], rows[-1][0]
        print(f"peak memory {last:,} vs {first:,}: x{growth:.2f} (target <= 1.20: {verdict})")


if __name__ == "__main__":
    main()
