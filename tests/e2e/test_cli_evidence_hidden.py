"""The command line's evidence commands see only the cases the acting account sees (a hidden case does not exist)."""

from __future__ import annotations

from pathlib import Path

from cli_runner import invoke

SCENARIO = Path(__file__).resolve().parents[2] / "src" / "dutycare" / "scenario" / "volgograd.json"


def test_evidence_of_a_case_restricted_away_from_the_actor_neither_lists_nor_takes_a_file(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    invoke("import", str(SCENARIO), env=cli_env)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 scan of the discharge summary")
    invoke("users", "add", "lena", "--role", "lawyer", env=cli_env)
    invoke("evidence", "add", "case-b", "ev-b-finding", str(scan), env=cli_env)
    invoke("cases", "access", "case-b", "--restrict", env=cli_env)
    lawyer = {**cli_env, "DUTYCARE_ACTOR": "lena"}
    listed = invoke("evidence", "list", "case-b", env=lawyer, check=False)
    assert listed.returncode != 0 and "scan.pdf" not in listed.stdout + listed.stderr
    added = invoke("evidence", "add", "case-b", "ev-b-finding", str(scan), env=lawyer, check=False)
    assert added.returncode != 0 and "Attached" not in added.stdout
    assert "scan.pdf" in invoke("evidence", "list", "case-b", env=cli_env).stdout
