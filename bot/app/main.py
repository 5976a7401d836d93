"""The App's entry points: `backend-review serve` and `backend-review worker`.

With cli.py, the only App module that reads the environment (through bot.config). Heavy
imports wait until the settings are known good, so a bad setting fails fast (exit 2).
"""

from __future__ import annotations

import signal
import socket
from typing import TYPE_CHECKING

from bot.app import logs
from bot.app.logs import log

if TYPE_CHECKING:
    from bot.app.metrics import Metrics
    from bot.app.worker import Workers
    from bot.config import AppSettings


def _setup(workers: int) -> tuple[AppSettings, Metrics, Workers]:
    from bot.config import load_app_settings

    settings, key = load_app_settings()
    from bot.app.jobs import Jobs
    from bot.app.metrics import Metrics
    from bot.app.queue import Queue
    from bot.app.worker import Workers

    queue = Queue(settings.queue_url())
    metrics = Metrics()
    return settings, metrics, Workers(Jobs(settings, key, queue, metrics), workers)


def serve(*, host: str, port: int, workers: int) -> int:
    """Receive webhooks (and, with `workers`, run jobs in this process) until SIGTERM."""
    settings, metrics, pool = _setup(workers)
    import uvicorn

    from bot.app.server import Receiver, create_app

    logs.setup()
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    receiver = Receiver(
        secret=secret.encode(),
        queue=pool.jobs.queue,
        metrics=metrics,
        app_id=settings.app_id,
        debounce=settings.debounce,
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)  # connections wait in the backlog until uvicorn accepts them
    bound = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(receiver), log_config=None, access_log=False, lifespan="off", backlog=2048
    )
    server = uvicorn.Server(config)

    def stopping(signum: int, frame: object) -> None:
        # Before uvicorn runs (it then takes over the signals) and after it has shut down (it
        # re-raises the signal with these handlers back): stop, and let the workers stop too.
        # No logging here: the signal may arrive in the middle of writing a log line.
        server.should_exit = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stopping)
    pool.start()
    log("listening", url=f"http://{host}:{bound}", workers=workers, queue=pool.jobs.queue.kind)
    try:
        server.run(sockets=[sock])
    finally:
        log("stopping")
        pool.stop()
    return 0


def worker(*, concurrency: int, metrics_port: int | None) -> int:
    """Run `concurrency` job threads on the configured queue until SIGTERM."""
    _, metrics, pool = _setup(concurrency)
    from bot.app.worker import run_until_signal

    logs.setup()
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, registry=metrics.registry)
    run_until_signal(pool)
    return 0
