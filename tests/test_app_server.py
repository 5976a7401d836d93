"""`backend-review serve` over real HTTP: signed deliveries are checked, de-duplicated, queued
or ignored with the documented statuses, and nothing unsigned is parsed or queued."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.queue import Queue
from tests.action_support import HEAD
from tests.app_support import (
    SECRET,
    AppKey,
    Proc,
    app_env,
    deliver,
    free_port,
    get,
    pr_payload,
    start,
    wait_for,
)
from tests.emulators.github import GitHubEmulator


@pytest.fixture(scope="module")
def receiver(
    tmp_path_factory: pytest.TempPathFactory, github_server: GitHubEmulator, app_key: AppKey
) -> Iterator[tuple[Proc, Queue]]:
    """`serve --port 0 --workers 0` on an SQLite queue: it only receives."""
    tmp = tmp_path_factory.mktemp("serve")
    url = f"sqlite:///{tmp / 'queue.db'}"
    env = app_env(tmp, github_server, app_key, url)
    proc = start(["serve", "--port", "0", "--workers", "0"], env, tmp, ready="listening")
    yield proc, Queue(url)
    assert proc.stop() == 0


def test_signed_pull_request_is_queued_once(receiver: tuple[Proc, Queue]) -> None:
    proc, queue = receiver
    payload = pr_payload(7, HEAD)
    status, answer = deliver(proc.url, "pull_request", payload, delivery="d-queued")
    assert (status, answer["status"], answer["pr"]) == (202, "queued", 7)
    record = queue.store.load("d-queued")
    assert record is not None and record.state == "queued" and record.head == HEAD
    assert json.loads(record.payload) == payload
    depth = queue.depth()
    # GitHub's redelivery repeats the id: answered, not queued again.
    status, answer = deliver(proc.url, "pull_request", payload, delivery="d-queued")
    assert (status, answer["status"]) == (200, "duplicate")
    assert queue.depth() == depth


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"x-hub-signature-256": None}, "no X-Hub-Signature-256"),
        ({"x-hub-signature-256": "sha256=" + "0" * 64}, "does not match"),
        # SHA-1 only (what old webhooks send): refused.
        ({"x-hub-signature-256": None, "x-hub-signature": "sha1=" + "0" * 40}, "SHA-1"),
    ],
)
def test_bad_signatures_are_401(
    receiver: tuple[Proc, Queue], headers: dict[str, str | None], reason: str
) -> None:
    proc, queue = receiver
    status, answer = deliver(
        proc.url,
        "pull_request",
        pr_payload(8, HEAD),
        delivery="d-bad",
        headers=headers,  # type: ignore[arg-type]
    )
    assert status == 401 and reason in answer["reason"]
    assert queue.store.load("d-bad") is None


def test_wrong_secret_is_401(receiver: tuple[Proc, Queue]) -> None:
    proc, queue = receiver
    status, _ = deliver(
        proc.url, "pull_request", pr_payload(8, HEAD), secret="other", delivery="d-x"
    )
    assert status == 401 and queue.store.load("d-x") is None


def test_unsigned_garbage_is_not_parsed(receiver: tuple[Proc, Queue]) -> None:
    """401 before parsing: an unsigned body that is not JSON is still a 401, not a 400."""
    proc, _ = receiver
    status, _ = deliver(
        proc.url, "pull_request", None, body=b"{not json", headers={"x-hub-signature-256": None}
    )
    assert status == 401


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"'])
def test_signed_non_object_is_400(receiver: tuple[Proc, Queue], body: bytes) -> None:
    proc, _ = receiver
    status, answer = deliver(proc.url, "pull_request", None, body=body, delivery="d-400")
    assert status == 400 and answer["status"] == "bad_request"


def test_malformed_payload_is_400(receiver: tuple[Proc, Queue]) -> None:
    proc, _ = receiver
    payload = pr_payload(9, HEAD)
    del payload["pull_request"]["head"]
    status, answer = deliver(proc.url, "pull_request", payload)
    assert status == 400 and "head" in answer["reason"]


def test_missing_delivery_id_is_400(receiver: tuple[Proc, Queue]) -> None:
    proc, _ = receiver
    status, _ = deliver(
        proc.url, "pull_request", pr_payload(9, HEAD), headers={"x-github-delivery": None}
    )
    assert status == 400


def test_oversize_is_413(receiver: tuple[Proc, Queue]) -> None:
    """Refused from the Content-Length, before the 25 MB are read."""
    proc, queue = receiver
    host, port = proc.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/webhook")
    for name, value in (
        ("content-type", "application/json"),
        ("content-length", str(25 * 1024 * 1024 + 1)),
        ("x-github-event", "pull_request"),
        ("x-github-delivery", "d-big"),
        ("x-hub-signature-256", "sha256=" + "0" * 64),
    ):
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(b'{"pad": "' + b"x" * 65536)
    assert conn.getresponse().status == 413
    conn.close()
    assert queue.store.load("d-big") is None


@pytest.mark.parametrize(
    ("event", "payload", "reason"),
    [
        ("ping", {"zen": "Keep it logically awesome.", "hook_id": 1}, "ping"),
        ("push", {"ref": "refs/heads/main"}, "does not start a review"),
        ("pull_request", pr_payload(10, HEAD, action="labeled"), "labeled"),
        ("pull_request", pr_payload(10, HEAD, action="closed"), "closed"),
    ],
)
def test_other_events_are_ignored(
    receiver: tuple[Proc, Queue], event: str, payload: dict[str, object], reason: str
) -> None:
    proc, queue = receiver
    status, answer = deliver(proc.url, event, payload, delivery=f"d-ign-{event}-{reason}")
    assert (status, answer["status"]) == (200, "ignored") and reason in answer["reason"]
    assert queue.store.load(f"d-ign-{event}-{reason}") is None


def test_comment_without_command_is_ignored(receiver: tuple[Proc, Queue]) -> None:
    proc, _ = receiver
    payload = json.loads(
        (Path(__file__).parent / "samples/events/issue_comment_other.json").read_text()
    )
    status, answer = deliver(proc.url, "issue_comment", payload)
    assert (status, answer["status"]) == (200, "ignored")


def test_health_ready_metrics(receiver: tuple[Proc, Queue]) -> None:
    proc, _ = receiver
    assert get(f"{proc.url}/healthz")[0] == 200
    status, body = get(f"{proc.url}/readyz")
    assert status == 200 and json.loads(body)["queue"] == "sqlite"
    deliver(proc.url, "ping", {"zen": "z"})
    status, text = get(f"{proc.url}/metrics")
    metrics = text.decode()
    assert status == 200
    assert 'backend_review_deliveries_total{event="ping",outcome="ignored"}' in metrics
    assert "backend_review_queue_depth" in metrics


def test_logs_are_json_without_secrets(receiver: tuple[Proc, Queue], app_key: AppKey) -> None:
    proc, _ = receiver
    deliver(proc.url, "ping", {"zen": "z"}, delivery="d-logged")
    wait_for(lambda: any(d.get("delivery") == "d-logged" for d in proc.logs("delivery")))
    [line] = [d for d in proc.logs("delivery") if d.get("delivery") == "d-logged"]
    assert line["event"] == "ping" and line["outcome"] == "ignored" and "duration_ms" in line
    text = json.dumps(proc.lines)
    assert SECRET not in text and "PRIVATE KEY" not in text


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GITHUB_WEBHOOK_SECRET": ""}, "GITHUB_WEBHOOK_SECRET"),
        ({"GITHUB_APP_PRIVATE_KEY": "not a key"}, "not a PEM private key"),
        (
            {"GITHUB_APP_PRIVATE_KEY": "", "GITHUB_APP_PRIVATE_KEY_PATH": "/nonexistent.pem"},
            "cannot read",
        ),
        ({"BACKEND_REVIEW_QUEUE": "amqp://x"}, "BACKEND_REVIEW_QUEUE"),
        ({"BACKEND_REVIEW_QUEUE": "sqlite:////proc/no/queue.db"}, "cannot open"),
    ],
)
def test_refuses_to_start_without_secret_or_key(
    tmp_path: Path,
    github_emulator: GitHubEmulator,
    app_key: AppKey,
    env: dict[str, str],
    message: str,
) -> None:
    full = {**app_env(tmp_path, github_emulator, app_key, f"sqlite:///{tmp_path}/q.db"), **env}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", "0"],
        env=full, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_queue_unreachable_is_503_and_not_ready(
    tmp_path: Path, github_emulator: GitHubEmulator, app_key: AppKey
) -> None:
    """Redis down: /readyz says so, deliveries get 503 (GitHub shows them failed, to be
    redelivered), /healthz still answers: the process itself is fine."""
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    env = app_env(tmp_path, github_emulator, app_key, url)
    proc = start(["serve", "--port", "0", "--workers", "0"], env, tmp_path, ready="listening")
    try:
        assert get(f"{proc.url}/healthz")[0] == 200
        assert get(f"{proc.url}/readyz")[0] == 503
        status, answer = deliver(proc.url, "pull_request", pr_payload(7, HEAD))
        assert status == 503 and "unreachable" in answer["reason"]
    finally:
        assert proc.stop() == 0
