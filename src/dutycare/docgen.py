"""Documents generated from the code: `python -m dutycare.docgen` rewrites them, `--check` fails when stale."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from dutycare.domain.events import EVENT_SPECS
from dutycare.domain.interchange_schema import case_file_schema
from dutycare.settings import render_settings_doc


def render_schema() -> str:
    """docs/case-file.schema.json."""
    return json.dumps(case_file_schema(), ensure_ascii=False, indent=2) + "\n"


def render_event_types() -> str:
    """docs/event-types.md: every event type and its detail fields."""
    lines = ["# Event types", "", "Generated from `dutycare.domain.events.EVENT_SPECS`.", ""]
    for spec in EVENT_SPECS.values():
        inst = " Requires `institution`." if spec.institution_required else ""
        lines += [f"## `{spec.type.value}` — {spec.label_en} / {spec.label_ru}", "", f"Details:{inst}", ""]
        lines += ["| field | kind | required | encrypted at rest | allowed values |", "| --- | --- | --- | --- | --- |"]
        for f in spec.fields:
            choices = ", ".join(f"`{c}`" for c in f.choices) or "—"
            lines.append(f"| `{f.name}` | {f.kind.value} | {'yes' if f.required else 'no'} | "
                         f"{'yes' if f.sensitive else 'no'} | {choices} |")
        lines.append("")
    return "\n".join(lines)


def _command_doc(cmd: Any, path: str, lines: list[str]) -> None:
    """Document one command and, for a group, its subcommands (Typer's command objects, duck-typed)."""
    lines += [f"## `{path}`", "", (cmd.help or "").strip(), ""]
    params = [p for p in cmd.params if getattr(p, "param_type_name", "") in ("option", "argument")]
    if params:
        lines += ["| parameter | meaning |", "| --- | --- |"]
        for p in params:
            name = ", ".join(p.opts) if p.param_type_name == "option" else str(p.name).upper()
            helptext = (getattr(p, "help", None) or "").replace("|", "\\|")
            lines.append(f"| `{name}` | {helptext} |")
        lines.append("")
    if hasattr(cmd, "commands"):
        for name in sorted(cmd.commands):
            _command_doc(cmd.commands[name], f"{path} {name}", lines)


def render_cli() -> str:
    """docs/cli.md: every command and option, from the Typer application."""
    from dutycare.entrypoints.cli.main import build_app

    root = typer.main.get_command(build_app())
    lines = ["# Command-line reference", "", "Generated from the Typer application by `python -m dutycare.docgen`.", ""]
    _command_doc(root, "dutycare", lines)
    return "\n".join(lines)


def generated_docs() -> dict[str, Callable[[], str]]:
    """Every generated document, by path relative to the repository root."""
    docs: dict[str, Callable[[], str]] = {
        "docs/case-file.schema.json": render_schema,
        "docs/event-types.md": render_event_types,
        "docs/settings.md": render_settings_doc,
        "docs/cli.md": render_cli,
    }
    try:
        from dutycare.rules.catalogue import render_catalogue
    except ImportError:
        return docs
    docs["docs/rules.md"] = render_catalogue
    return docs


def main(argv: list[str]) -> int:
    """Write the documents, or with --check report the stale ones and exit 1."""
    root = Path(argv[argv.index("--root") + 1]) if "--root" in argv else Path.cwd()
    stale = []
    for rel, render in generated_docs().items():
        path, text = root / rel, render()
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for rel in stale:
        print(f"{rel} is out of date: run 'python -m dutycare.docgen' and commit the result", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
