"""Settings, declared once as data: the CLI options, the environment variables and docs/settings.md come from here."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its name, environment variable, default and meaning."""

    name: str
    env: str
    default: str | None
    help: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("db", "DUTYCARE_DB", "dutycare.db",
                "The database: a file path means SQLite, a postgresql:// URL means PostgreSQL."),
    SettingSpec("key_file", "DUTYCARE_KEY_FILE", None,
                "The organisation key file. Keep it outside the data directory; 'init' records where it is."),
    SettingSpec("passphrase", "DUTYCARE_PASSPHRASE", None,
                "The passphrase that unlocks the organisation key, for databases initialised with --passphrase."),
    SettingSpec("vault", "DUTYCARE_VAULT", None,
                "The evidence vault directory (default: beside an SQLite file, or ./dutycare-vault)."),
    SettingSpec("checkpoint_dir", "DUTYCARE_CHECKPOINT_DIR", None,
                "Where every signed checkpoint is also written, one folder per log (default: a 'checkpoints' "
                "folder beside the key file). 'ledger verify' checks the database against the newest one there."),
    SettingSpec("witnesses", "DUTYCARE_WITNESSES", None,
                "Verifier keys of witnesses whose co-signatures on checkpoints 'ledger verify' checks, "
                "separated by commas or spaces, each as name+keyid+base64 (see docs/ledger.md)."),
    SettingSpec("actor", "DUTYCARE_ACTOR", None,
                "Who is making the changes, as recorded in the ledger (default: the operating-system user)."),
)


@dataclass(frozen=True)
class Settings:
    """Everything dutycare needs to know to open a database."""

    db: str = "dutycare.db"
    key_file: Path | None = None
    passphrase: str | None = None
    vault: Path | None = None
    checkpoint_dir: Path | None = None
    witnesses: str | None = None
    actor: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from the environment, with explicit values (e.g. CLI options) taking precedence."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for spec in SETTINGS:
            raw = overrides.get(spec.name)
            if raw is None:
                raw = env.get(spec.env) or spec.default
            if raw is not None and spec.name in ("key_file", "vault", "checkpoint_dir"):
                raw = Path(str(raw)).expanduser()
            values[spec.name] = raw
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        """A copy with some settings changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def who(self) -> str:
        """The actor recorded in the ledger."""
        if self.actor:
            return self.actor
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"

    def vault_dir(self) -> Path:
        """Where evidence files are kept."""
        if self.vault is not None:
            return self.vault
        if "://" not in self.db:
            path = Path(self.db).expanduser().resolve()
            return path.with_name(path.name + ".vault")
        return Path("dutycare-vault").resolve()


def render_settings_doc() -> str:
    """The Markdown reference of every setting."""
    lines = ["# Settings", "",
             "Generated from `dutycare.settings.SETTINGS`; `python -m dutycare.docgen` rewrites it.", "",
             "| option | environment variable | default | meaning |", "| --- | --- | --- | --- |"]
    for s in SETTINGS:
        option = "--" + s.name.replace("_", "-")
        lines.append(f"| `{option}` | `{s.env}` | {f'`{s.default}`' if s.default else '—'} | {s.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_settings_doc(), end="")
