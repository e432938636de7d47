"""gunicorn's settings for the web process: `gunicorn -c gunicorn.conf.py newsroom.wsgi`.

Settings given on the command line win over these (`make serve` passes --workers and --bind).
Logs go to stdout as JSON lines: one per request from gunicorn's access log, and gunicorn's
own messages through the same formatter as Django's (newsroom/jsonlog.py).
"""

import json
import logging
import os
import sys
import time

from gunicorn import glogging
from gunicorn.http import wsgi as gunicorn_wsgi

from newsroom.jsonlog import JSONFormatter, utc_time

# Where to listen: BIND, else all interfaces on PORT (as platforms that set PORT expect), else
# loopback only.
if os.environ.get("BIND"):
    bind = os.environ["BIND"]
elif os.environ.get("PORT"):
    bind = f"0.0.0.0:{os.environ['PORT']}"
else:
    bind = "127.0.0.1:8000"

# Sync workers: each handles one request at a time, and pages are rendered on the CPU, so
# about two per core (the classic 2 x cores + 1) keeps the cores busy while others wait on the
# database. WEB_CONCURRENCY sets it exactly.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.process_cpu_count() or 1) + 1)

# A worker silent for 30 s is killed and replaced; on a restart (SIGHUP, or SIGTERM from the
# platform) workers get 30 s to finish the requests they hold.
timeout = 30
graceful_timeout = 30
# Seconds an idle keep-alive connection stays open. Only the threaded and async worker types
# keep connections; the sync worker used here closes each after its response, which is what a
# load balancer in front expects of it.
keepalive = 5
# Each worker is replaced after about 1000 requests (the jitter keeps them from all restarting
# at once), so a slow leak never grows without bound.
max_requests = 1000
max_requests_jitter = 100

# The application is imported once, in the master, before the workers are forked: workers
# start in milliseconds (which matters with max_requests) and share the imported code's memory,
# and a broken settings module stops the master at once with its error instead of failing in
# every worker. Nothing opens a connection at import time (Django connects lazily), so no
# socket is shared across the fork. The cost: SIGHUP restarts workers with the code already
# loaded, so a deploy restarts the master (which platforms do anyway).
preload_app = True

# The heartbeat file workers touch for the master: in memory where there is /dev/shm, so a
# slow disk cannot make the master think a worker is stuck.
SHM = "/dev/shm"  # noqa: S108 - gunicorn makes its files there with mkstemp
if os.path.isdir(SHM):
    worker_tmp_dir = SHM

# The addresses whose X-Forwarded-* headers gunicorn believes: the proxy's, named by the
# operator in FORWARDED_ALLOW_IPS (e.g. 127.0.0.1 for nginx on the same host, as `make front`
# runs it). None by default, so nothing on this host (or a client talking to gunicorn directly)
# can make a plain-HTTP request look like HTTPS with `X-Forwarded-Proto: https`. Django reads
# the same variable and drops those headers from anyone else before it reads them
# (newsroom/forwarded.py): the scheme (SECURE_PROXY_SSL_HEADER) and the client's address
# (TRUSTED_PROXY_COUNT) are believed from the named proxies only.
forwarded_allow_ips = ",".join(
    entry.strip() for entry in os.environ.get("FORWARDED_ALLOW_IPS", "").split(",") if entry.strip()
)

# No banner: gunicorn writes `Server: gunicorn` on every answer, which tells a scanner what to
# try. The header stays (gunicorn always writes it) with nothing in it; nginx in front sends
# its own, without a version (server_tokens off).
gunicorn_wsgi.SERVER = ""

# No control socket (gunicorn 25.1+ makes one at ~/.gunicorn/gunicorn.ctl for gunicornc): every
# gunicorn on a host would share that path, and the process is managed by signals (HUP, TERM,
# TTIN/TTOU) and the platform's restarts.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# One JSON object per request. Times in milliseconds; "forwarded_for" is the X-Forwarded-For
# header as received (see TRUSTED_PROXY_COUNT for which entry is the client). The values are
# escaped for JSON by JSONAtoms below.
access_log_format = (
    '{"time": "%(iso_time)s", "level": "INFO", "logger": "gunicorn.access", '
    '"message": "%(r)s", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s", '
    '"status": %(s)s, "bytes": %(B)s, "duration_ms": %(M)s, "remote_addr": "%(h)s", '
    '"forwarded_for": "%({x-forwarded-for}i)s", "user_agent": "%(a)s", "referer": "%(f)s"}'
)


class JSONAtoms(glogging.SafeAtoms):
    """The access log's values escaped for a JSON string, so quotes, backslashes and control
    characters in a path or a User-Agent cannot break the line; a missing size is null."""

    def __init__(self, atoms):
        escaped = {}
        for key, value in atoms.items():
            if isinstance(value, str):
                value = json.dumps(value)[1:-1]
            elif value is None:
                value = "null"
            escaped[key] = value
        dict.__init__(self, escaped)


class JSONLogger(glogging.Logger):
    atoms_wrapper_class = JSONAtoms

    def setup(self, cfg):
        super().setup(cfg)
        # gunicorn's own messages (boot, worker restarts, timeouts) as JSON lines, on stdout.
        for handler in self.error_log.handlers:
            handler.setFormatter(JSONFormatter())
            if cfg.errorlog == "-" and type(handler) is logging.StreamHandler:
                handler.setStream(sys.stdout)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["iso_time"] = utc_time(time.time())
        return atoms


logger_class = JSONLogger
