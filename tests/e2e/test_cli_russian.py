"""Every command speaks Russian when told to: no English value of the vocabulary, no True/None, no 2024-03.

The commands are found from the CLI itself, so a command added later fails here until a run of it is added to
``runs`` below; each run's standard output and error are read as a Russian reader would.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from dutycare.entrypoints.cli.main import build_app
from dutycare.scenario import load_scenario
from russian_text import english_in


def leaf_commands() -> set[str]:
    """Every command of the CLI, as its words ("ledger verify")."""
    found: set[str] = set()

    def walk(command: object, path: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children is None:
            found.add(" ".join(path))
            return
        for name, child in children.items():
            walk(child, [*path, name])
    walk(typer.main.get_command(build_app()), [])
    return found


class Runs:
    """Runs commands in one process with a Russian environment and keeps what each printed."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.runner = CliRunner()
        self.outputs: dict[str, list[str]] = {}
        self.commands = leaf_commands()

    def __call__(self, *args: str, ok: bool = True, **more_env: str) -> str:
        result = self.runner.invoke(build_app(), list(args), env={**self.env, **more_env}, catch_exceptions=False)
        text = result.stdout + result.stderr
        assert "Traceback" not in text, text
        assert (result.exit_code == 0) is ok, f"dutycare {' '.join(args)} exited {result.exit_code}:\n{text}"
        words = [a for a in args if not a.startswith("-")]
        name = next((" ".join(words[:n]) for n in (2, 1) if " ".join(words[:n]) in self.commands), args[0])
        self.outputs.setdefault(name, []).append(text)
        return text

    def english(self) -> list[str]:
        return [f"{name}: {word!r} in {line.strip()[:160]!r}" for name, texts in self.outputs.items()
                for text in texts for line in text.splitlines() for word in english_in(line)]


OWED: frozenset[str] = frozenset()
"""Commands that still print English and owe their Russian and a run here (none now). A command added later and not
run here fails this test; a listed one that is gone fails it too."""


def _phrases(text: str) -> list[str]:
    lines = text.splitlines()
    return [lines[i + 1].strip() for i, line in enumerate(lines) if re.match(r"^Фраза \d+ из \d+:$", line)]


def _taken_port() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock, sock.getsockname()[1]


def test_the_cli_language_follows_the_option_the_setting_and_the_locale(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"DUTYCARE_DB": str(tmp_path / "data" / "x.db"), "DUTYCARE_KEY_FILE": str(tmp_path / "keys" / "k.key"),
           "LC_ALL": "",
           "LC_MESSAGES": ""}
    cases: list[tuple[list[str], dict[str, str], str]] = [
        (["init"], {"LANG": "ru_RU.UTF-8", "DUTYCARE_LANG": ""}, "Создана база данных"),
        (["--lang", "en", "migrate"], {"LANG": "ru_RU.UTF-8"}, "Schema at"),
        (["migrate"], {"LANG": "C.UTF-8", "DUTYCARE_LANG": "ru"}, "Схема базы"),
        (["migrate"], {"LANG": "C.UTF-8", "DUTYCARE_LANG": ""}, "Schema at"),
    ]
    for args, lang_env, expected in cases:
        result = runner.invoke(build_app(), args, env={**env, **lang_env})
        assert expected in result.stdout, (args, lang_env, result.stdout + result.stderr)
    refused = runner.invoke(build_app(), ["--lang", "fr", "migrate"], env=env)
    assert refused.exit_code == 2 and "fr" in refused.stderr and "Traceback" not in refused.stderr


def test_every_command_speaks_russian(db_target: str, tmp_path: Path) -> None:
    env = {"DUTYCARE_DB": db_target, "DUTYCARE_KEY_FILE": str(tmp_path / "keys" / "org.key"),
           "DUTYCARE_VAULT": str(tmp_path / "vault"), "DUTYCARE_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
           "DUTYCARE_LANG": "ru", "DUTYCARE_ACTOR": ""}
    run = Runs(env)
    run("init")
    run("users", "add", "clerk", "--role", "coordinator", "--display-name", "Борис Клерков")
    env["DUTYCARE_ACTOR"] = "clerk"
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    assert "Импортировано" in run("import", str(scenario))
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format": "dutycare-case-file", "format_version": 1, "events": [
        {"id": "e-x", "type": "injury", "date": "2024-13", "cases": ["case-a"], "sources": []}]}), encoding="utf-8")
    run("import", str(broken), ok=False)
    template = tmp_path / "t.csv"
    run("import", "--template", "csv", "--out", str(template))
    assert "образец" in run("import", str(template), ok=False)
    run("migrate")
    run("cases", "list")
    shown = run("cases", "show", "case-b")
    assert "декабрь 2023" in shown and "Обвинение в симуляции" in shown
    run("cases", "access", "case-c", "--restrict")
    found = run("findings", "case-a")
    assert "\n       — " in found, "R8 lists its contradictions one a line"
    run("findings")
    run("deadlines", "--as-of", "2024-03-01")
    run("rules", "list")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan\n")
    run("evidence", "add", "case-b", "ev-b-finding", str(scan), "--source", "s-03")
    run("evidence", "list", "case-b")
    listed = CliRunner().invoke(build_app(), ["evidence", "list", "case-b", "--format", "json"], env=env).stdout
    run("evidence", "get", json.loads(listed)[0]["id"], "--out", str(tmp_path / "copy.pdf"))
    run("users", "add", "anna", "--role", "caseworker")
    run("users", "list")
    run("users", "token", "anna")
    run("users", "change", "anna", "--role", "lawyer")
    run("ledger", "checkpoint")
    run("ledger", "verify")
    run("ledger", "prove", "5", "--format", "text")
    run("ledger", "export", str(tmp_path / "bundle"))
    run("ledger", "witness-key", "svidetel.example/w1", "--out", str(tmp_path / "witness.key"))
    note = sorted((tmp_path / "checkpoints").rglob("*"), key=lambda p: p.stat().st_mtime)
    run("ledger", "cosign", str([p for p in note if p.is_file()][-1]), "--witness-key", str(tmp_path / "witness.key"),
        "--out", str(tmp_path / "cosigned.txt"))
    run("export", "--out", str(tmp_path / "export.json"))
    run("synth", "--cases", "1", "--seed", "1", "--out", str(tmp_path / "synth.jsonl"))
    run("publications", "list")
    run("patterns")
    run("patterns", "--by", "month", "--from", "2024-13-01", ok=False)
    run("patterns", "--by", "month", "--out", str(tmp_path / "patterns.txt"), DUTYCARE_DISCLOSURE_THRESHOLD="1")
    run("patterns", "--by", "quarter", DUTYCARE_DISCLOSURE_THRESHOLD="1")
    built = run("publications", "build", "--title", "Отказы в лечении", DUTYCARE_DISCLOSURE_THRESHOLD="1")
    publication = built.split()[0]
    run("publications", "approve", publication)
    run("publications", "list")
    run("publications", "download", publication, "tables.json", "--out", str(tmp_path / "tables.json"))
    run("publications", "verify", publication, "--file", str(tmp_path / "tables.json"))
    run("complaints", "draft", "case-a", "--to", "i-prosecutor-general")
    details = tmp_path / "draft.json"
    applicants = [{"person": "p-01", "full_name": "Максимов Максим Игоревич", "address": ""}]
    details.write_text(json.dumps({"applicants": applicants, "letter_date": "2026-12-01", "will_sign": True}),
                       encoding="utf-8")
    drafted = CliRunner().invoke(build_app(), ["complaints", "draft", "case-a", "--to", "i-prosecutor-general",
                                               "--input", str(details), "--format", "json"], env=env).stdout
    complaint = json.loads(drafted)["id"]
    run("complaints", "finalise", complaint, ok=False)
    applicants[0]["address"] = "г. Волгоград, ул. Мира, 1"
    details.write_text(json.dumps({"applicants": applicants}), encoding="utf-8")
    run("complaints", "edit", complaint, "--input", str(details))
    run("complaints", "finalise", complaint)
    run("complaints", "letter", complaint, "i-prosecutor-general", "--out", str(tmp_path / "letter.pdf"))
    run("complaints", "record", complaint, "registered", "--date", "2026-12-03", "--institution",
        "i-prosecutor-general", ok=False)
    run("complaints", "record", complaint, "sent", "--date", "2026-12-02", "--channel", "letter")
    run("complaints", "record", complaint, "registered", "--date", "2026-12-03", "--institution",
        "i-prosecutor-general", "--number", "ОГ-1")
    run("complaints", "record", complaint, "answered", "--date", "2026-12-20", "--institution",
        "i-prosecutor-general", "--outcome", "refused")
    run("complaints", "show", complaint)
    intake_db = str(tmp_path / "public" / "intake.db")
    run("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "short", ok=False)
    run("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "a long intake passphrase",
        "--public-key-file", str(tmp_path / "intake.pk"))
    run("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "a long intake passphrase", ok=False)
    public = run("intake", "public-key", "--intake-db", intake_db).strip()
    other = str(tmp_path / "elsewhere" / "intake.db")
    run("intake", "set-public-key", "ssh-ed25519 AAAA", "--intake-db", other, ok=False)
    run("intake", "set-public-key", public, "--intake-db", other)
    run("intake", "public-key", "--intake-db", str(tmp_path / "keyless" / "intake.db"), ok=False)
    run("serve-intake", "--intake-db", str(tmp_path / "keyless" / "intake.db"), ok=False)
    run("intake", "xlsform", str(tmp_path / "form.txt"), ok=False)
    run("intake", "xlsform", str(tmp_path / "form.xlsx"))
    export = tmp_path / "central.csv"
    export.write_text("SubmissionDate,account,contact,KEY\n2024-05-03T10:00:00Z,Отказали в операции.,Signal,uuid:1\n",
                      encoding="utf-8")
    run("intake", "import", str(export), "--check")
    run("intake", "import", str(export), "--intake-db", intake_db)
    run("intake", "import", str(export), "--intake-db", intake_db)
    (tmp_path / "bad.csv").write_text("account,KEY\n,uuid:2\n", encoding="utf-8")
    run("intake", "import", str(tmp_path / "bad.csv"), "--check", ok=False)
    run("complaints", "next", complaint, "prosecutor", "i-prosecutor-general")
    account = tmp_path / "account.txt"
    account.write_text("В марте 2024 года в госпитале Волгограда Максиму отказали в операции.", encoding="utf-8")
    assert "Отказ в лечении" in run("suggest", str(account))
    run("export", "--csv", "events", "--out", str(tmp_path / "events.csv"))
    assert (tmp_path / "events.csv").read_bytes().startswith("\ufeffid,date,type".encode())
    run("backup", "keygen", str(tmp_path / "backup.key"))
    run("backup", "create", str(tmp_path / "db.backup"), "--recipient", str(tmp_path / "backup.key.pub"))
    run("restore", str(tmp_path / "db.backup"), "--identity", str(tmp_path / "backup.key"),
        "--db", str(tmp_path / "restored.db"), "--vault", str(tmp_path / "restored-vault"),
        "--checkpoints", str(tmp_path / "restored-checkpoints"))
    phrases = _phrases(run("keys", "split", "--shares", "2", "--threshold", "2"))
    assert len(phrases) == 2
    run.outputs["keys split"] = [t.replace(p, "«фраза»") for t in run.outputs["keys split"] for p in phrases[:1]]
    run.outputs["keys split"] = [t.replace(phrases[1], "«фраза»") for t in run.outputs["keys split"]]
    files = []
    for i, phrase in enumerate(phrases):
        files += ["--share-file", str(tmp_path / f"share{i}.txt")]
        (tmp_path / f"share{i}.txt").write_text(phrase, encoding="utf-8")
    run("keys", "recover", *files, "--key-file", str(tmp_path / "recovered.key"))
    run("keys", "rotate", "--new-key-file", str(tmp_path / "rotated.key"))
    demo = run("demo", "--no-serve", "--db", str(tmp_path / "demo" / "demo.db"),
               "--key-file", str(tmp_path / "demo-keys" / "demo.key"))
    assert "около октября 2023" in demo and "Подписана контрольная точка" in demo
    sock, port = _taken_port()
    with sock:
        taken = run("serve", "--port", str(port), ok=False)
        assert f"Порт {port}" in taken and "занят" in taken
        run("demo", "--port", str(port), "--db", str(tmp_path / "demo" / "demo.db"), ok=False)
    assert run.commands >= OWED, f"owed commands that no longer exist: {sorted(OWED - run.commands)}"
    missing = run.commands - run.outputs.keys() - OWED
    assert not missing, f"commands this test does not run yet (add a run of each): {sorted(missing)}"
    english = run.english()
    assert not english, f"{len(english)} English words in Russian output:\n" + "\n".join(english[:80])


def test_a_hostile_language_value_is_refused_without_a_traceback(tmp_path: Path) -> None:
    invoke: Callable[..., object] = CliRunner().invoke
    result = invoke(build_app(), ["cases", "show", "x", "--lang", "xx"], env={"DUTYCARE_DB": str(tmp_path / "a.db")})
    assert getattr(result, "exit_code", 0) != 0
