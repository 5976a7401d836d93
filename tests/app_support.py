"""Helpers for the GitHub App tests: an App key, signed deliveries, `serve`/`worker` processes,
a real redis-server. Everything runs over loopback HTTP against the emulators."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.app.signature import sign
from tests.action_support import EVENTS, NAME, OWNER
from tests.emulators import github_app
from tests.emulators.github import GitHubEmulator

APP_ID = 424242
INSTALLATION = 777
SECRET = "whsec-test-0123456789"


@dataclass(frozen=True)
class AppKey:
    private: str
    public: str


def make_key() -> AppKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return AppKey(private, public)


def install_app(emu: GitHubEmulator, key: AppKey, repos: list[str], **kwargs: Any) -> None:
    """Register the App in the emulator (whose tokens start afresh: forget cached ones)."""
    from bot.github.client import forget_app_tokens

    forget_app_tokens()
    github_app.configure(emu, APP_ID, key.public, {INSTALLATION: repos}, **kwargs)


def pr_payload(
    number: int, head: str, *, action: str = "opened", repo: str = f"{OWNER}/{NAME}", **changes: Any
) -> dict[str, Any]:
    """A pull_request delivery as GitHub sends it to an App (with `installation`)."""
    data = json.loads((EVENTS / "pull_request_opened.json").read_text())
    data["action"] = action
    data["number"] = number
    data["pull_request"]["number"] = number
    data["pull_request"]["head"]["sha"] = head
    data["repository"]["full_name"] = repo
    data["repository"]["name"] = repo.split("/")[1]
    data["installation"] = {
        "id": INSTALLATION,
        "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc3",
    }
    data.update(changes)
    return data


def deliver(
    url: str,
    event: str,
    payload: Any,
    *,
    delivery: str | None = None,
    secret: str = SECRET,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST one delivery, signed like GitHub signs it; returns (status, JSON answer)."""
    raw = body if body is not None else json.dumps(payload).encode()
    sent = {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/abc1234",
        "x-github-event": event,
        "x-github-delivery": delivery or str(uuid.uuid4()),
        "x-github-hook-id": "1",
        "x-github-hook-installation-target-type": "integration",
        "x-github-hook-installation-target-id": str(APP_ID),
        "x-hub-signature-256": sign(secret.encode(), raw),
    }
    for name, value in (headers or {}).items():
        if value is None:
            sent.pop(name, None)
        else:
            sent[name] = value
    request = urllib.request.Request(f"{url}/webhook", data=raw, headers=sent, method="POST")
    return _open(request)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _open(request: urllib.request.Request) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        text = exc.read()
        return exc.code, json.loads(text) if text.startswith(b"{") else {}


def app_env(
    tmp_path: Path, emu: GitHubEmulator, key: AppKey, queue: str, **extra: str
) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "GITHUB_APP_ID": str(APP_ID),
        "GITHUB_APP_PRIVATE_KEY": key.private,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_API_URL": emu.url,
        "BACKEND_REVIEW_QUEUE": queue,
        "BACKEND_REVIEW_GITHUB_RETRY_DELAY": "0",
        "BACKEND_REVIEW_APP_DEBOUNCE": "0",
        "BACKEND_REVIEW_APP_LOCK_TTL": "3",
        "BACKEND_REVIEW_APP_RETRY_DELAY": "0.2",
        "BACKEND_REVIEW_APP_SHUTDOWN_GRACE": "5",
        **extra,
    }


@dataclass
class Proc:
    """A `backend-review serve` or `worker` process with its JSON log lines collected."""

    popen: subprocess.Popen[str]
    lines: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def logs(self, msg: str) -> list[dict[str, Any]]:
        return [line for line in list(self.lines) if line.get("msg") == msg]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        return self.popen.wait(timeout)


def start(args: list[str], env: dict[str, str], cwd: Path, *, ready: str) -> Proc:
    """Start `python -m bot ARGS` and wait for the log line `ready`."""
    popen = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc = Proc(popen)
    seen = threading.Event()

    def drain() -> None:
        assert popen.stderr is not None
        for text in popen.stderr:
            try:
                line = json.loads(text)
            except ValueError:
                line = {"msg": "raw", "text": text.rstrip()}
            proc.lines.append(line)
            if line.get("msg") == ready:
                proc.url = str(line.get("url") or "")
                seen.set()
        popen.stderr.close()
        seen.set()

    threading.Thread(target=drain, daemon=True).start()
    if not seen.wait(30) or popen.poll() is not None:
        popen.kill()
        raise AssertionError(f"{args[0]} did not start: {proc.lines}")
    return proc


def wait_for(predicate: Any, timeout: float = 30, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError("timed out waiting")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def app_key() -> AppKey:
    return make_key()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real redis-server on a free loopback port (Debian's package; .ci/run installs it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; CI has it)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: _ping(port), timeout=10, interval=0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False
