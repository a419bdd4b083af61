"""`dutycare intake keygen`, `intake public-key`, `intake set-public-key` and `serve-intake` as a user runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from cli_runner import BIN, invoke, run

pytestmark = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_keygen_keeps_the_private_key_locked_and_the_public_key_with_the_form(cli_env: dict[str, str],
                                                                             tmp_path: Path) -> None:
    intake_db = str(tmp_path / "public" / "intake.db")
    short = invoke("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "short", env=cli_env,
                   check=False)
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    invoke("users", "add", "anna", "--role", "caseworker", env=cli_env)
    refused = invoke("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "x" * 20,
                     env={**cli_env, "DUTYCARE_ACTOR": "anna"}, check=False)
    assert refused.returncode == 1 and "coordinator" in refused.stderr

    made = invoke("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "a long intake passphrase",
                  "--public-key-file", str(tmp_path / "intake.pk"), env=cli_env)
    public = (tmp_path / "intake.pk").read_text(encoding="ascii").strip()
    assert public.startswith("dutycare-intake-pk:") and public in made.stdout
    assert invoke("intake", "public-key", "--intake-db", intake_db, env=cli_env).stdout.strip() == public
    again = invoke("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "a long intake passphrase",
                   env=cli_env, check=False)
    assert again.returncode == 1 and "already has an intake key" in again.stderr
    assert b"a long intake passphrase" not in Path(cli_env["DUTYCARE_DB"]).read_bytes()

    # A separate intake server gets the public key only.
    other = str(tmp_path / "elsewhere" / "intake.db")
    bad = invoke("intake", "set-public-key", "ssh-ed25519 AAAA", "--intake-db", other, env=cli_env, check=False)
    assert bad.returncode == 1 and "not an intake public key" in bad.stderr
    invoke("intake", "set-public-key", public, "--intake-db", other, env=cli_env)
    assert invoke("intake", "public-key", "--intake-db", other, env=cli_env).stdout.strip() == public


def test_serve_intake_needs_only_the_intake_database_and_its_public_key(cli_env: dict[str, str],
                                                                       tmp_path: Path) -> None:
    bare = {k: v for k, v in cli_env.items() if not k.startswith("DUTYCARE_")}
    keyless = str(tmp_path / "keyless" / "intake.db")
    refused = run("serve-intake", "--intake-db", keyless, env=bare, check=False)
    assert refused.returncode == 1 and "no intake public key" in refused.stderr

    intake_db = str(tmp_path / "public" / "intake.db")
    run("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "a long intake passphrase",
        env=cli_env)
    port = _free_port()
    server = subprocess.Popen([str(BIN), "serve-intake", "--intake-db", intake_db, "--port", str(port)],
                              env=bare, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        page = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?lang=uk", timeout=2) as answer:
                    page = answer.read().decode("utf-8")
                    assert answer.headers.get("Set-Cookie") is None
                break
            except OSError:
                time.sleep(0.2)
        assert "Розповісти про свій випадок" in page
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=20)
    assert "Traceback" not in err and os.path.exists(intake_db)


def test_import_seals_field_submissions_into_the_intake_queue(cli_env: dict[str, str], tmp_path: Path) -> None:
    export = tmp_path / "central.csv"
    export.write_text("SubmissionDate,account,contact,KEY\n"
                      "2024-05-03T10:00:00Z,В госпитале отказали в операции.,Signal,uuid:1\n", encoding="utf-8")
    bare = {k: v for k, v in cli_env.items() if not k.startswith("DUTYCARE_")}
    keyless = invoke("intake", "import", str(export), "--intake-db", str(tmp_path / "none" / "intake.db"), env=bare,
                     check=False)
    assert keyless.returncode == 1 and "no intake public key" in keyless.stderr
    intake_db = str(tmp_path / "public" / "intake.db")
    invoke("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "a long intake passphrase",
           env=cli_env)
    done = invoke("intake", "import", str(export), "--intake-db", intake_db, env=bare)
    assert "1 submission(s) queued for triage" in done.stdout
    assert "отказали".encode() not in Path(intake_db).read_bytes()
