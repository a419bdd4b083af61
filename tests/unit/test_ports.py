"""Interfaces tell the truth: the service layer's interfaces live in ports.py and adapters subclass them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import dutycare

SRC = Path(dutycare.__file__).resolve().parent  # the sources under test, wherever they are imported from
INTERFACE_BASES = {"Protocol", "ABC", "ABCMeta"}

# (adapter, port) for every adapter the composition root plugs into the service layer.
ADAPTERS = [
    ("dutycare.adapters.storage.repository:SqlRecords", "Records"),
    ("dutycare.adapters.storage.findings_store:SqlFindings", "Findings"),
    ("dutycare.adapters.storage.ledger_store:SqlLedger", "Ledger"),
    ("dutycare.adapters.storage.search_store:SqlSearchIndex", "SearchIndex"),
    ("dutycare.adapters.storage.unit_of_work:SqlUnitOfWork", "UnitOfWork"),
    ("dutycare.adapters.storage.access_store:StaffSqlUnitOfWork", "StaffUnitOfWork"),
    ("dutycare.adapters.storage.access_store:SqlAccessStore", "AccessStore"),
    ("dutycare.adapters.storage.access_store:SqlAuditLog", "AuditLog"),
    ("dutycare.adapters.storage.access_store:SqlCaseQueries", "CaseQueries"),
    ("dutycare.adapters.storage.bulk_writer:SqlBulkStore", "BulkStore"),
    ("dutycare.adapters.vault:EvidenceVault", "EvidenceStore"),
    ("dutycare.adapters.importers.csv_file:CsvSource", "RecordSource"),
    ("dutycare.adapters.importers.json_document:JsonDocumentSource", "RecordSource"),
    ("dutycare.adapters.importers.jsonlines:JsonLinesSource", "RecordSource"),
    ("dutycare.adapters.importers.xlsx_file:XlsxSource", "RecordSource"),
    ("dutycare.adapters.importers.progress:ImportProgress", "Progress"),
    ("dutycare.adapters.storage.access_records:SqlAccessRecords", "AccessRecords"),
    ("dutycare.adapters.checkpoint_folder:CheckpointFolder", "CheckpointArchive"),
    ("dutycare.adapters.storage.snapshot:SqlDatabase", "BackupDatabase"),
    ("dutycare.adapters.backup_archive:ArchiveWriter", "ArchiveSink"),
    ("dutycare.bootstrap:VaultFiles", "FileHasher"),
    ("dutycare.adapters.text_facts.natasha_suggester:NatashaFactSuggester", "FactSuggester"),
    ("dutycare.adapters.crypto.intake_box:IntakeSealer", "SubmissionSealer"),
    ("dutycare.service_layer.field_collection:SealingQueue", "IntakeQueue"),
]

# Names other branches import from the interfaces' former modules; they must stay the very same objects.
FORMER_HOMES = [
    ("dutycare.service_layer.unit_of_work", ("UnitOfWork", "Records", "Findings", "Ledger", "SearchIndex"), "ports"),
    ("dutycare.service_layer.accounts", ("AccessStore", "StaffUnitOfWork"), "ports"),
    ("dutycare.service_layer.accounts", ("User", "ApiToken"), "access"),
    ("dutycare.service_layer.audit", ("AuditLog",), "ports"),
    ("dutycare.service_layer.audit", ("AuditEntry",), "queries"),
    ("dutycare.service_layer.case_views", ("CaseQueries",), "ports"),
    ("dutycare.service_layer.case_views", ("Access",), "access"),
    ("dutycare.service_layer.case_views", ("CaseQuery", "FilterChoices"), "queries"),
    ("dutycare.service_layer.ledger_service", ("FileHasher",), "ports"),
    ("dutycare.service_layer.search", ("SearchIndex",), "ports"),
    ("dutycare.service_layer.evidence", ("EvidenceStore", "StoredFile"), "ports"),
    ("dutycare.service_layer.bulk_import", ("BulkStore", "RecordSource", "Progress"), "ports"),
    ("dutycare.service_layer.bulk_import", ("RawRecord",), "raw_record"),
    ("dutycare.service_layer.findings", ("RuleBook",), "rulebook"),
    ("dutycare.adapters.storage.repository", ("RecordState", "RowFacts"), "queries"),
    ("dutycare.service_layer.unit_of_work", ("AccessRecords",), "ports"),
    ("dutycare.service_layer.ledger_service", ("CheckpointArchive",), "ports"),
    ("dutycare.service_layer.ledger_checks", ("Found",), "ports"),
    ("dutycare.service_layer.access_log", ("CheckpointKeeper",), "ports"),
    ("dutycare.service_layer.backup", ("BackupDatabase", "ArchiveSink", "ArchiveReader"), "ports"),
    ("dutycare.service_layer.backup", ("MemberDigest", "DatabaseSnapshot"), "snapshots"),
]


def _load(path: str) -> type:
    module, name = path.split(":")
    found: type = getattr(importlib.import_module(module), name)
    return found


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _service_modules() -> list[Path]:
    return [p for p in sorted((SRC / "service_layer").glob("*.py")) if p.name != "ports.py"]


@pytest.mark.parametrize("path", _service_modules(), ids=lambda p: p.name)
def test_service_layer_declares_its_interfaces_only_in_ports(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    interfaces = [n.name for n in ast.walk(tree)
                  if isinstance(n, ast.ClassDef) and _base_names(n) & INTERFACE_BASES]
    assert not interfaces, f"{path.name} declares {interfaces}; interfaces belong in service_layer/ports.py"


@pytest.mark.parametrize("path", _service_modules(), ids=lambda p: p.name)
def test_service_layer_needs_no_type_checking_imports(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "TYPE_CHECKING"]
    assert not guarded, f"{path.name} uses TYPE_CHECKING (line {guarded[0]}): an interface sits in the wrong module"


@pytest.mark.parametrize(("adapter", "port"), ADAPTERS, ids=[a.split(":")[1] for a, _ in ADAPTERS])
def test_adapters_subclass_the_port_they_fulfil(adapter: str, port: str) -> None:
    from dutycare.service_layer import ports

    # Subclassing, not structural matching: issubclass() refuses protocols that are not runtime-checkable.
    assert getattr(ports, port) in _load(adapter).__mro__, f"{adapter} does not subclass ports.{port}"


def test_no_adapter_forwards_attributes() -> None:
    for path in (SRC / "adapters").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        forwarding = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__getattr__"]
        assert not forwarding, f"{path.relative_to(SRC)} forwards attributes through __getattr__ (line {forwarding})"


@pytest.mark.parametrize(("module", "names", "home"), FORMER_HOMES, ids=[f"{m}:{n[0]}" for m, n, _ in FORMER_HOMES])
def test_interfaces_stay_importable_from_their_former_modules(module: str, names: tuple[str, ...], home: str) -> None:
    old = importlib.import_module(module)
    new = importlib.import_module(f"dutycare.service_layer.{home}")
    for name in names:
        assert getattr(old, name) is getattr(new, name), f"{module}.{name} is not service_layer.{home}.{name}"
