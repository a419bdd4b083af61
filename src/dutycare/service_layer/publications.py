"""Publications: an aggregate report (and optionally anonymised case summaries) built by an analyst, previewed and
approved by a coordinator, then seen by partners; each is entered in the ledger with the SHA-256 of every file.

Differencing two publications filtered differently could reveal a cell each suppresses, so a new publication's
cases must be exactly those of every earlier publication it shares any case with, or share none with it
(docs/patterns.md); its tables are always the same three (facilities, quarters, rules), so two publications of
the same cases show the same numbers.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from dutycare.domain.errors import DomainError, InvalidInput, NotAllowed, NotFound, Problem
from dutycare.ledger.entry import record_digest
from dutycare.service_layer import patterns
from dutycare.service_layer.access import Permission, User, allows
from dutycare.service_layer.audit import iso
from dutycare.service_layer.changes import Action, Change
from dutycare.service_layer.pattern_model import Grouping, PatternRequest, ReportContent
from dutycare.service_layer.ports import ReportRenderer, StaffUnitOfWork
from dutycare.service_layer.queries import CaseQuery
from dutycare.service_layer.summaries import case_summaries
from dutycare.service_layer.write_path import apply_changes

PUBLICATION = "publication"
DRAFT, APPROVED, WITHDRAWN = "draft", "approved", "withdrawn"
MAX_TITLE = 200
MAX_SUMMARIES = 50


@dataclass(frozen=True)
class PublicationRequest:
    """What an analyst asks to publish: which cases (the case-list filters), a title, a language, and which cases
    (ids) to summarise."""

    query: CaseQuery = field(default_factory=CaseQuery)
    title: str = ""
    lang: str = "ru"
    summary_case_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublicationCheck:
    """What verifying a publication found: each file's digest against the ledgered record."""

    publication_id: str
    ok: bool
    problems: list[str]
    files_checked: int


def _filters(query: CaseQuery) -> dict[str, str]:
    values = {"status": query.status, "region": query.region, "institution": query.institution_id,
              "rule": query.rule_id, "date_from": query.date_from.isoformat() if query.date_from else None,
              "date_to": query.date_to.isoformat() if query.date_to else None, "text": query.text}
    return {k: v for k, v in values.items() if v}


def _population_digest(case_ids: list[str]) -> str:
    return hashlib.sha256("\n".join(case_ids).encode("utf-8")).hexdigest()


def _check_request(request: PublicationRequest) -> None:
    problems = []
    if not request.title.strip():
        problems.append(Problem(PUBLICATION, "title", "give the publication a title"))
    elif len(request.title) > MAX_TITLE:
        problems.append(Problem(PUBLICATION, "title", f"must be at most {MAX_TITLE} characters"))
    if request.lang not in ("ru", "en"):
        problems.append(Problem(PUBLICATION, "lang", "use ru or en"))
    if len(request.summary_case_ids) > MAX_SUMMARIES:
        problems.append(Problem(PUBLICATION, "summaries", f"at most {MAX_SUMMARIES} case summaries"))
    if problems:
        raise InvalidInput(problems)


def _refuse_differencing(uow: StaffUnitOfWork, population: list[str], digest: str) -> None:
    """A publication's cases must equal, or be disjoint from, those of every earlier one not withdrawn."""
    mine = set(population)
    for earlier in uow.publications.records():
        if earlier["status"] == WITHDRAWN or earlier["population_sha256"] == digest:
            continue
        theirs = set(uow.publications.population(earlier["id"]))
        if mine & theirs:
            raise InvalidInput([Problem(PUBLICATION, "filters", (
                f"these cases overlap those of publication {earlier['id']} («{earlier['title']}») without being the "
                "same: comparing the two could reveal counts either one suppresses. Use the same filters, or "
                "filters that share no case with it (another period or region)"))])


def _tables(uow: StaffUnitOfWork, builder: User, query: CaseQuery,
            threshold: int) -> tuple[patterns.PatternTable, patterns.PatternTable, patterns.PatternTable]:
    made = [patterns.pattern_table(uow, builder, PatternRequest(query, g.value), threshold)
            for g in (Grouping.FACILITY, Grouping.QUARTER, Grouping.RULE)]
    return made[0], made[1], made[2]


def build_publication(uow: StaffUnitOfWork, builder: User, request: PublicationRequest, renderer: ReportRenderer,
                      at: datetime, threshold: int) -> dict[str, object]:
    """Make a draft publication: its tables through disclosure control, its files, its ledger entry."""
    if not allows(builder.role, Permission.PUBLICATION_BUILD):
        raise NotAllowed("Only analysts and coordinators build publications.")
    _check_request(request)
    facilities, trend, rules = _tables(uow, builder, request.query, threshold)
    if not (facilities.publishable and trend.publishable and rules.publishable):
        raise InvalidInput([Problem(PUBLICATION, "filters", (
            f"fewer than {threshold} cases match these filters, or their counts cannot be shown without revealing "
            "a small one: there is nothing to publish. Widen the filters"))])
    with uow:
        digests = patterns.search_digests(uow, request.query)
        population = uow.patterns.population(builder, request.query, digests) if digests != [] else []
        digest = _population_digest(population)
        _refuse_differencing(uow, population, digest)
        summaries = case_summaries(uow, builder, request.summary_case_ids, population)
    content = ReportContent(request.title.strip(), request.lang, at.date().isoformat(), len(population), threshold,
                            _filters(request.query), facilities, trend, rules, tuple(summaries))
    files = renderer.render(content)
    publication_id = "pub-" + uuid.uuid4().hex[:12]
    manifest = [{"name": name, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body), "media_type": media}
                for name, (body, media) in sorted(files.items())]
    record: dict[str, object] = {
        "id": publication_id, "status": DRAFT, "title": content.title, "lang": content.lang,
        "filters": content.filters, "population_sha256": digest, "population_size": len(population),
        "files": manifest, "created_by": builder.name, "created_at": iso(at), "approved_by": None,
        "approved_at": None}
    with uow:
        _refuse_differencing(uow, population, digest)  # again inside the writing transaction
        uow.publications.add(record, {name: body for name, (body, _) in files.items()}, population)
        apply_changes(uow, [Change(Action.CREATE, PUBLICATION, publication_id, record)])
        uow.commit()
    return record


def _sees(viewer: User, record: dict[str, object]) -> bool:
    if record["status"] == APPROVED:
        return allows(viewer.role, Permission.PUBLICATIONS_READ)
    return allows(viewer.role, Permission.PUBLICATION_BUILD) or allows(viewer.role, Permission.PUBLICATION_APPROVE)


def list_publications(uow: StaffUnitOfWork, viewer: User) -> list[dict[str, object]]:
    """The publications this viewer may see: approved ones for everyone, drafts for those who build or approve."""
    with uow:
        return [r for r in uow.publications.records() if _sees(viewer, r)]


def publication(uow: StaffUnitOfWork, viewer: User, publication_id: str) -> dict[str, object]:
    """One publication's record, or NotFound when there is none the viewer may see."""
    with uow:
        record = uow.publications.record(publication_id)
    if record is None or not _sees(viewer, record):
        raise NotFound(f"There is no publication '{publication_id}'.")
    return record


def publication_file(uow: StaffUnitOfWork, viewer: User, publication_id: str, name: str) -> tuple[bytes, str]:
    """One file of a publication the viewer may see, with its media type."""
    record = publication(uow, viewer, publication_id)
    files = {str(f["name"]): f for f in record["files"]}  # type: ignore[attr-defined]
    with uow:
        body = uow.publications.file(publication_id, name) if name in files else None
    if body is None:
        raise NotFound(f"Publication '{publication_id}' has no file '{name}'.")
    return body, str(files[name]["media_type"])


def approve(uow: StaffUnitOfWork, coordinator: User, publication_id: str, at: datetime) -> dict[str, object]:
    """Approve a draft after previewing it: from now on partners see it; the approval is a ledger entry."""
    if not allows(coordinator.role, Permission.PUBLICATION_APPROVE):
        raise NotAllowed("Only a coordinator approves a publication.")
    with uow:
        record = uow.publications.record(publication_id)
        if record is None:
            raise NotFound(f"There is no publication '{publication_id}'.")
        if record["status"] != DRAFT:
            raise InvalidInput([Problem(PUBLICATION, "status", f"is {record['status']}; only a draft can be approved")])
        uow.publications.update(publication_id, status=APPROVED, approved_by=coordinator.name, approved_at=iso(at))
        updated = uow.publications.record(publication_id)
        assert updated is not None
        apply_changes(uow, [Change(Action.UPDATE, PUBLICATION, publication_id, updated)])
        uow.commit()
    return updated


def verify_publication(uow: StaffUnitOfWork, publication_id: str) -> PublicationCheck:
    """Check a publication's record against its newest ledger entry and each stored file against its SHA-256."""
    problems: list[str] = []
    with uow:
        record = uow.publications.record(publication_id)
        if record is None:
            raise NotFound(f"There is no publication '{publication_id}'.")
        ledgered = uow.ledger.latest_digest(PUBLICATION, publication_id)
        if ledgered is None:
            problems.append("no ledger entry records it")
        elif ledgered != record_digest(record):
            problems.append("its record differs from what the ledger recorded")
        files = list(record["files"])
        for f in files:
            body = uow.publications.file(publication_id, f["name"])
            if body is None:
                problems.append(f"{f['name']}: missing")
            elif hashlib.sha256(body).hexdigest() != f["sha256"]:
                problems.append(f"{f['name']}: its SHA-256 is {hashlib.sha256(body).hexdigest()}, but {f['sha256']} "
                                "was recorded")
    return PublicationCheck(publication_id, not problems, problems, len(files))


def verify_file(uow: StaffUnitOfWork, publication_id: str, name: str, body: bytes) -> bool:
    """Whether a file someone holds is, byte for byte, the one this publication's ledgered record names."""
    with uow:
        record = uow.publications.record(publication_id)
    if record is None:
        raise NotFound(f"There is no publication '{publication_id}'.")
    wanted = {str(f["name"]): str(f["sha256"]) for f in record["files"]}
    if name not in wanted:
        raise DomainError(f"Publication '{publication_id}' has no file '{name}'.")
    return hashlib.sha256(body).hexdigest() == wanted[name]

