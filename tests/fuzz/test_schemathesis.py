"""The API fuzzed by schemathesis (pinned in requirements.txt) against the OpenAPI document the
server serves, as a visitor, a resident and a staff member.

Starts the real server binary (tests/support/linli_server.py) with the demo community, signs in
the demo accounts, and runs `st run` once per role with a bounded number of examples per
operation and a fixed seed, so that a run is repeatable. Every answer must be below 500, carry
a status the document lists, with the documented content type, and match its schema.

Signed-in runs leave out /auth/ (a login or a sign-up would end the session they run under).

Run: python3 -m unittest discover -s tests/fuzz -v   (or through `cargo xtask test`)
LINLI_FUZZ_EXAMPLES sets the examples per operation (default 25).
"""

import os
import subprocess
import sys
import unittest
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests/support"))
from linli_server import Server  # noqa: E402

PASSWORD = "linli2026"
RESIDENT = "13900000001"
STAFF = "13800000002"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)
EXAMPLES = os.environ.get("LINLI_FUZZ_EXAMPLES", "25")
SEED = "20261122"

server = None


def setUpModule():
    global server
    server = Server()


def tearDownModule():
    if server:
        server.stop()


def session_of(phone):
    """The session cookie of a demo account, signed in through the API."""
    answer = requests.post(
        f"{server.url}/api/v1/auth/login",
        json={"phone": phone, "password": PASSWORD},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.cookies["linli_session"]


def fuzz(*extra):
    """`st run` against the served document; returns (exit code, what it printed)."""
    st = Path(sys.executable).parent / "st"
    report = Path(server.dir, "junit.xml")
    command = [
        str(st),
        "run",
        f"{server.url}/api/v1/openapi.json",
        "--url",
        server.url,
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--generation-database",
        "none",
        # One worker: CPython 3.11 keeps the AST constructor's recursion counter per interpreter,
        # not per thread, so two workers parsing source at once (hypothesis reads its lambdas'
        # source to describe them) can fail with "AST constructor recursion depth mismatch"
        # (seen here on 3.11.7; CPython gh-106905). A crash of the tool is not a finding.
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        *extra,
    ]
    # Run in the server's temporary folder: schemathesis keeps a cache where it runs.
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=900, cwd=server.dir
    )
    return done.returncode, done.stdout + done.stderr


class FuzzTheApi(unittest.TestCase):
    def assert_clean(self, code, output):
        summary = output[output.rfind("SUMMARY") :] if "SUMMARY" in output else output[-3000:]
        print(summary)
        self.assertEqual(code, 0, f"schemathesis found failures:\n{output[-20000:]}")

    def test_as_a_visitor(self):
        self.assert_clean(*fuzz())

    def test_as_a_resident(self):
        cookie = f"Cookie: linli_session={session_of(RESIDENT)}"
        self.assert_clean(*fuzz("--header", cookie, "--exclude-path-regex", "/auth/"))

    def test_as_staff(self):
        cookie = f"Cookie: linli_session={session_of(STAFF)}"
        self.assert_clean(*fuzz("--header", cookie, "--exclude-path-regex", "/auth/"))


if __name__ == "__main__":
    unittest.main()
