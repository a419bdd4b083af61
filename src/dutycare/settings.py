"""Settings, declared once as data: the CLI options, the environment variables and docs/settings.md come from here."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from dutycare.domain.errors import DomainError


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
                "The organisation key file (default: one per database under $XDG_CONFIG_HOME/dutycare/keys). Keep it "
                "outside the data directory; the database does not record where it is."),
    SettingSpec("passphrase", "DUTYCARE_PASSPHRASE", None,
                "The passphrase that locks the organisation key: given to 'init', it makes a passphrase-locked "
                "database."),
    SettingSpec("vault", "DUTYCARE_VAULT", None,
                "The evidence vault directory (default: beside an SQLite file; for PostgreSQL a folder per database "
                "under $XDG_DATA_HOME/dutycare/vaults, whatever the working folder)."),
    SettingSpec("checkpoint_dir", "DUTYCARE_CHECKPOINT_DIR", None,
                "Where every signed checkpoint is also written, one folder per log (default: a 'checkpoints' "
                "folder beside the key file). 'ledger verify' checks the database against the newest one there."),
    SettingSpec("witnesses", "DUTYCARE_WITNESSES", None,
                "Verifier keys of witnesses whose co-signatures on checkpoints 'ledger verify' checks, "
                "separated by commas or spaces, each as name+keyid+base64 (see docs/ledger.md)."),
    SettingSpec("intake_db", "DUTYCARE_INTAKE_DB", None,
                "The public intake's own database (a file path or a postgresql:// URL), apart from the case "
                "database: 'serve-intake' writes sealed submissions there and the staff application's triage reads "
                "them (default: NAME.intake.db beside an SQLite case database)."),
    SettingSpec("disclosure_threshold", "DUTYCARE_DISCLOSURE_THRESHOLD", "10",
                "The smallest count any pattern table, chart, export or publication shows; smaller counts, and every "
                "count that would reveal one, are suppressed (docs/patterns.md)."),
    SettingSpec("evidence_max_mb", "DUTYCARE_EVIDENCE_MAX_MB", "100",
                "The largest evidence file the web pages and the API accept, in MiB (a whole number from 1); a "
                "larger upload is refused and nothing of it is kept."),
    SettingSpec("actor", "DUTYCARE_ACTOR", None,
                "The staff account the command line acts as: an active user of the database, named in the ledger "
                "and the audit log. Commands that read or write case data refuse to run without one."),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Everything dutycare needs to know to open a database."""

    db: str = "dutycare.db"
    key_file: Path | None = None
    passphrase: str | None = None
    vault: Path | None = None
    checkpoint_dir: Path | None = None
    witnesses: str | None = None
    intake_db: str | None = None
    disclosure_threshold: int = 10
    evidence_max_mb: str | None = "100"
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
            if spec.name == "disclosure_threshold":
                raw = _threshold(raw)
            values[spec.name] = raw
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        """A copy with some settings changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def who(self) -> str:
        """The actor recorded in the ledger (never the operating-system user: that names no staff account)."""
        return self.actor or "system"

    def evidence_limit(self) -> int:
        """The largest evidence file an upload may bring, in bytes (DomainError names a setting that is no number)."""
        text = str(self.evidence_max_mb or "100").strip()
        if not text.isdigit() or not 1 <= int(text) <= 1 << 20:
            from dutycare.domain.errors import DomainError

            raise DomainError(f"evidence_max_mb (DUTYCARE_EVIDENCE_MAX_MB) is {text!r}; give a whole number of "
                              "MiB from 1 to 1048576.")
        return int(text) << 20

    def vault_dir(self) -> Path:
        """Where evidence files are kept."""
        if self.vault is not None:
            return self.vault
        if "://" not in self.db:
            path = Path(self.db).expanduser().resolve()
            return path.with_name(path.name + ".vault")
        return default_vault_dir(self.db)

    def intake_target(self) -> str | None:
        """The intake database: the setting, else beside an SQLite case database (None for PostgreSQL)."""
        if self.intake_db:
            return self.intake_db
        if "://" in self.db:
            return None
        path = Path(self.db).expanduser().resolve()
        return str(path.with_name(path.stem + ".intake" + (path.suffix or ".db")))


def _threshold(raw: object) -> int:
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise DomainError(f"disclosure_threshold ({SETTINGS_BY_NAME['disclosure_threshold'].env}) must be a whole "
                          f"number from 1 to 1000, not {text!r}")
    return int(text)


def default_vault_dir(db_url: str) -> Path:
    """The default vault of a database server: one folder per database under the user's data folder."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "dutycare" / "vaults"
    digest = hashlib.sha256(db_url.split("://", 1)[-1].encode()).hexdigest()[:12]
    return base / f"postgresql-{digest}"


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
