"""Running the dutycare command as a user does, for the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from dutycare.entrypoints.cli.main import build_app

BIN = Path(sys.executable).with_name("dutycare")


def run(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run dutycare and return what it printed; it must never print a traceback."""
    proc = subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=600)
    return _checked(proc, args, check)


def invoke(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the same command tree in this process (as ``run`` does, with exactly ``env`` as the environment), for
    tests that need what a command does and prints but not a process of its own: it saves a Python start-up and the
    imports per command. An exception that escapes a command is raised here, as a traceback would be printed."""
    overlay: dict[str, str | None] = {name: None for name in os.environ if name not in env}
    overlay |= env
    result = CliRunner().invoke(build_app(), list(args), env=overlay, catch_exceptions=False)
    proc = subprocess.CompletedProcess(["dutycare", *args], result.exit_code, result.stdout, result.stderr)
    return _checked(proc, args, check)


def _checked(proc: subprocess.CompletedProcess[str], args: tuple[str, ...],
             check: bool) -> subprocess.CompletedProcess[str]:
    if check and proc.returncode != 0:
        raise AssertionError(f"dutycare {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc
