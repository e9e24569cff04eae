"""The real linli-server binary for the Python tests (tests/open311, tests/fuzz): started on a
free port with its own temporary database and the demo community, stopped and removed after.

LINLI_SERVER_BIN names the binary (default target/debug/linli-server).
"""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


class Server:
    """The linli-server binary on port 0 with its own database and the demo community."""

    def __init__(self):
        binary = Path(os.environ.get("LINLI_SERVER_BIN", ROOT / "target/debug/linli-server"))
        if not binary.is_file():
            raise RuntimeError(f"{binary} is missing: build it with `cargo build -p linli-server`")
        self.dir = tempfile.mkdtemp(prefix="linli-python-test-")
        dist = Path(self.dir, "dist")
        dist.mkdir()
        self.process = subprocess.Popen(
            [
                str(binary),
                "--addr", "127.0.0.1:0",
                "--database-url", f"sqlite://{self.dir}/linli.db",
                "--dist", str(dist),
                "--seed-demo", "true",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RUST_LOG": "warn"},
            text=True,
        )
        self.output = []
        found = threading.Event()

        def read():
            for line in self.process.stdout:
                self.output.append(line)
                match = re.search(r"is running at (http://\S+)", line)
                if match:
                    self.url = match.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(60):
            self.stop()
            raise RuntimeError("the server did not start in 60 s:\n" + "".join(self.output))
        self.wait_healthy()
        self.open311 = f"{self.url}/open311/v2"

    def wait_healthy(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server never answered /api/v1/health")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
