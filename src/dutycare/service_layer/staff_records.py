"""Staff writes and reads of cases, people, sources and institutions: the records a timeline refers to.

Each write is checked here, once, for the web forms and the API alike: the writer's role (the role table's
``event.write``: whoever may write events may write what they refer to), the cases they see, and the record's
fields, validated exactly as an import validates them (`domain.interchange`), so a form, the API and a file all
report the same located problems. The write, its ledger entry, its search words and the findings it touches are
committed together (`write_path.apply_changes`).

What a viewer may see of these records follows the cases they see: a person only through a visible case of theirs,
a source only when no event cites it yet or a visible event does; institutions are public bodies and always shown.
A record the viewer may not see does not exist for them (NotFound), as a hidden case does not.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dutycare.domain.errors import InvalidInput, NotAllowed, NotFound, Problem
from dutycare.domain.events import EVENT_SPECS
from dutycare.domain.interchange import (
    FORMAT_NAME,
    FORMAT_VERSION,
    case_to_dict,
    institution_to_dict,
    parse_case_file,
    person_to_dict,
    source_to_dict,
)
from dutycare.domain.model import Case, CaseFile, Institution, Person, Source
from dutycare.service_layer import audit, case_views
from dutycare.service_layer.access import CASE_SCOPE, CaseScope, Permission, User, allows
from dutycare.service_layer.changes import Action, Change, created
from dutycare.service_layer.findings import refresh_findings
from dutycare.service_layer.ports import StaffUnitOfWork
from dutycare.service_layer.visibility import Visibility
from dutycare.service_layer.write_path import apply_changes

SECTION = {"person": "people", "case": "cases", "source": "sources", "institution": "institutions"}
ID_PREFIX = {"person": "p", "case": "case", "source": "src", "institution": "inst"}
MAX_SUGGESTIONS = 50
ENCODE = {"person": person_to_dict, "case": case_to_dict, "source": source_to_dict,
          "institution": institution_to_dict}


@dataclass(frozen=True)
class NewCase:
    """A case opened from nothing: the case, its person (new or existing) and who may see it."""

    case: Case
    person: Person
    restricted: bool
    user_ids: frozenset[str]


def new_id(kind: str) -> str:
    """A fresh id for a record of this kind (the API and forms let the writer leave it out)."""
    return f"{ID_PREFIX[kind]}-{secrets.token_hex(6)}"


def _writer(uow: StaffUnitOfWork, writer: User) -> Visibility:
    if not allows(writer.role, Permission.EVENT_WRITE):
        raise NotAllowed("Your role may not add or change records.")
    return Visibility(uow, writer)


def _document(**sections: list[Mapping[str, Any]]) -> dict[str, Any]:
    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, **sections}


def _with_id(kind: str, raw: Any) -> Any:
    if isinstance(raw, Mapping) and not raw.get("id"):
        return {**raw, "id": new_id(kind)}
    return raw


def _parse(uow: StaffUnitOfWork, replacing: frozenset[str] = frozenset(), **sections: list[Any]) -> CaseFile:
    """Records in interchange form, validated as an import would validate them against the database."""
    return parse_case_file(_document(**sections), known=uow.records, replacing=replacing)


def _merged(stored: Mapping[str, Any], changes: Mapping[str, Any], record_id: str) -> dict[str, Any]:
    """The stored record with the changed fields; a field changed to None is removed."""
    out = {**stored, **changes, "id": record_id}
    return {k: v for k, v in out.items() if v is not None}


def _check_same_id(kind: str, record_id: str, changes: Mapping[str, Any]) -> None:
    given = changes.get("id", record_id)
    if given != record_id:
        raise InvalidInput([Problem(kind, "id", "cannot be changed; add a new record instead")])


def _check_users(uow: StaffUnitOfWork, user_ids: frozenset[str]) -> None:
    unknown = sorted(u for u in user_ids if uow.access.user(u) is None)
    if unknown:
        raise InvalidInput([Problem("case_access", "users", f"unknown user(s): {', '.join(unknown)}")])


# -- visibility of the records cases refer to ----------------------------------------------------------------
def _sees_person(vis: Visibility, person_id: str) -> bool:
    cases = vis.uow.records.cases_of_person(person_id)
    if cases:
        return any(vis.sees(c) for c in cases)
    # A person no case names yet was just added by a writer; only roles that see more than named cases see them.
    return CASE_SCOPE[vis.viewer.role] is not CaseScope.NAMED_ONLY


def sees_source(vis: Visibility, source_id: str) -> bool:
    cases = vis.uow.records.cases_citing(source_id)
    if cases:
        return any(vis.sees(c) for c in cases)
    return CASE_SCOPE[vis.viewer.role] is not CaseScope.NAMED_ONLY


def _require_person(vis: Visibility, person_id: str) -> Person:
    person = vis.uow.records.person(person_id)
    if not _sees_person(vis, person_id):
        raise NotFound(f"There is no person '{person_id}'.")
    return person


def _require_source(vis: Visibility, source_id: str) -> Source:
    source = vis.uow.records.source(source_id)
    if not sees_source(vis, source_id):
        raise NotFound(f"There is no source '{source_id}'.")
    return source


def _check_person_reference(vis: Visibility, raw: Any) -> None:
    """A case may name only a person the writer sees (one of a hidden case does not exist for them)."""
    person = raw.get("person") if isinstance(raw, Mapping) else None
    if isinstance(person, str) and vis.uow.records.has("person", person) and not _sees_person(vis, person):
        raise InvalidInput([Problem("case", "person", f"refers to person '{person}', which does not exist")])
    if isinstance(person, str) and vis.uow.records.is_withdrawn("person", person):
        raise InvalidInput([Problem("case", "person", f"refers to person '{person}', which was withdrawn")])


def _check_parent(uow: StaffUnitOfWork, raw: Any) -> None:
    parent = raw.get("parent") if isinstance(raw, Mapping) else None
    if isinstance(parent, str) and uow.records.is_withdrawn("institution", parent):
        raise InvalidInput([Problem("institution", "parent",
                                    f"refers to institution '{parent}', which was withdrawn")])


# -- cases -----------------------------------------------------------------------------------------------------
def open_case(uow: StaffUnitOfWork, writer: User, raw_case: Any, raw_person: Any | None, at: datetime, *,
              restricted: bool = False, user_ids: frozenset[str] = frozenset()) -> NewCase:
    """Open a case with a new person (``raw_person``) or one the writer sees (the case's ``person``).

    A restricted case names the writer among those who see it, so opening it never hides it from them.
    """
    raw_case = _with_id("case", raw_case)
    with uow:
        vis = _writer(uow, writer)
        people: list[Any] = []
        if raw_person is not None:
            raw_person = _with_id("person", raw_person)
            people = [raw_person]
            if isinstance(raw_case, Mapping) and isinstance(raw_person, Mapping):
                raw_case = {**raw_case, "person": raw_person.get("id")}
        else:
            _check_person_reference(vis, raw_case)
        named = (user_ids | {writer.id}) if restricted else user_ids
        problems: list[Problem] = []
        try:
            cf = _parse(uow, people=people, cases=[raw_case])
        except InvalidInput as exc:
            problems = exc.problems
        try:
            _check_users(uow, named)
        except InvalidInput as exc:
            problems += exc.problems
        if problems:
            raise InvalidInput(problems)
        case = cf.cases[0]
        uow.records.add_case_file(cf)
        apply_changes(uow, created(cf))
        if restricted or named:
            case_views.apply_case_access(uow, writer, case.id, restricted, named, at)
        person = cf.people[0] if cf.people else uow.records.person(case.person_id)
        uow.commit()
    return NewCase(case, person, restricted, named)


def update_case(uow: StaffUnitOfWork, writer: User, case_id: str, changes: Mapping[str, Any]) -> Case:
    """Store a corrected version of a case the writer sees (the fields given change; None removes one)."""
    _check_same_id("case", case_id, changes)
    with uow:
        vis = _writer(uow, writer)
        vis.require_case(case_id)
        raw = _merged(case_to_dict(uow.records.case(case_id)), changes, case_id)
        if "person" in changes:
            _check_person_reference(vis, raw)
        case = _parse(uow, frozenset({case_id}), cases=[raw]).cases[0]
        uow.records.replace_record(case)
        apply_changes(uow, [Change(Action.UPDATE, "case", case.id, case_to_dict(case))])
        uow.commit()
    return case


def read_case(uow: StaffUnitOfWork, viewer: User, case_id: str) -> Case:
    """One case the viewer sees (its fields only; `case_views.case_page` gives the whole, audited page)."""
    with uow:
        Visibility(uow, viewer).require_case(case_id)
        return uow.records.case(case_id)


# -- people ----------------------------------------------------------------------------------------------------
def add_person(uow: StaffUnitOfWork, writer: User, raw: Any) -> Person:
    """Add a person (identifying fields are sealed at rest as every person's are)."""
    raw = _with_id("person", raw)
    with uow:
        _writer(uow, writer)
        cf = _parse(uow, people=[raw])
        uow.records.add_case_file(cf)
        apply_changes(uow, created(cf))
        uow.commit()
    return cf.people[0]


def update_person(uow: StaffUnitOfWork, writer: User, person_id: str, changes: Mapping[str, Any]) -> Person:
    """Store a corrected version of a person the writer sees; their cases' findings are evaluated again."""
    _check_same_id("person", person_id, changes)
    with uow:
        vis = _writer(uow, writer)
        stored = _require_person(vis, person_id)
        raw = _merged(person_to_dict(stored), changes, person_id)
        person = _parse(uow, frozenset({person_id}), people=[raw]).people[0]
        uow.records.replace_record(person)
        apply_changes(uow, [Change(Action.UPDATE, "person", person.id, person_to_dict(person))])
        refresh_findings(uow, uow.records.cases_of_person(person_id))
        uow.commit()
    return person


def read_person(uow: StaffUnitOfWork, viewer: User, person_id: str) -> Person:
    """A person the viewer sees, without identifying fields (those are read apart, audited)."""
    with uow:
        p = _require_person(Visibility(uow, viewer), person_id)
    return Person(p.id, p.pseudonym, p.role, p.service_status, p.age, p.age_as_of, p.birth_year)


def read_person_identifying(uow: StaffUnitOfWork, viewer: User, person_id: str, at: datetime) -> Person:
    """A person the viewer sees with identifying fields, for roles allowed them; the read is audited."""
    if not allows(viewer.role, Permission.IDENTIFYING_READ):
        raise NotAllowed("Your role may not read identifying details.")
    with uow:
        person = _require_person(Visibility(uow, viewer), person_id)
        audit.note(uow, viewer, audit.AuditAction.READ_IDENTIFYING, "person", person_id, at)
        uow.commit()
    return person


# -- sources ---------------------------------------------------------------------------------------------------
def add_source(uow: StaffUnitOfWork, writer: User, raw: Any) -> Source:
    """Add a source with its kind, reliability grade and date."""
    raw = _with_id("source", raw)
    with uow:
        _writer(uow, writer)
        cf = _parse(uow, sources=[raw])
        uow.records.add_case_file(cf)
        apply_changes(uow, created(cf))
        uow.commit()
    return cf.sources[0]


def update_source(uow: StaffUnitOfWork, writer: User, source_id: str, changes: Mapping[str, Any]) -> Source:
    """Store a corrected version of a source the writer sees; the cases citing it are evaluated again."""
    _check_same_id("source", source_id, changes)
    with uow:
        vis = _writer(uow, writer)
        raw = _merged(source_to_dict(_require_source(vis, source_id)), changes, source_id)
        source = _parse(uow, frozenset({source_id}), sources=[raw]).sources[0]
        uow.records.replace_record(source)
        apply_changes(uow, [Change(Action.UPDATE, "source", source.id, source_to_dict(source))])
        refresh_findings(uow, uow.records.cases_citing(source_id))
        uow.commit()
    return source


def read_source(uow: StaffUnitOfWork, viewer: User, source_id: str) -> Source:
    """A source the viewer sees."""
    with uow:
        return _require_source(Visibility(uow, viewer), source_id)


def visible_sources(uow: StaffUnitOfWork, viewer: User) -> list[Source]:
    """Every source the viewer sees, in the order added (for choosing what an event cites)."""
    with uow:
        vis = Visibility(uow, viewer)
        return [s for s in uow.records.all_sources() if sees_source(vis, s.id)]


# -- institutions ----------------------------------------------------------------------------------------------
def add_institution(uow: StaffUnitOfWork, writer: User, raw: Any) -> Institution:
    """Add a hospital, commission, unit or authority."""
    raw = _with_id("institution", raw)
    with uow:
        _writer(uow, writer)
        _check_parent(uow, raw)
        cf = _parse(uow, institutions=[raw])
        uow.records.add_case_file(cf)
        apply_changes(uow, created(cf))
        uow.commit()
    return cf.institutions[0]


def update_institution(uow: StaffUnitOfWork, writer: User, institution_id: str,
                       changes: Mapping[str, Any]) -> Institution:
    """Store a corrected version of an institution; the findings about it and its cases are evaluated again."""
    _check_same_id("institution", institution_id, changes)
    with uow:
        _writer(uow, writer)
        stored = uow.records.institution(institution_id)
        raw = _merged(institution_to_dict(stored), changes, institution_id)
        _check_parent(uow, raw)
        inst = _parse(uow, frozenset({institution_id}), institutions=[raw]).institutions[0]
        if inst.parent_id == institution_id:
            raise InvalidInput([Problem("institution", "parent", "cannot be the institution itself")])
        uow.records.replace_record(inst)
        apply_changes(uow, [Change(Action.UPDATE, "institution", inst.id, institution_to_dict(inst))])
        cases = {c for e in uow.records.event_facts_at_institutions([institution_id]) for c in e.case_ids}
        refresh_findings(uow, cases, [institution_id])
        uow.commit()
    return inst


def read_institution(uow: StaffUnitOfWork, viewer: User, institution_id: str) -> Institution:
    """One institution (public bodies: every signed-in user sees them)."""
    with uow:
        return uow.records.institution(institution_id)


def find_institutions(uow: StaffUnitOfWork, viewer: User, text: str = "",
                      limit: int = MAX_SUGGESTIONS) -> list[Institution]:
    """Institutions whose name, or a word of it, starts with the text (any case; ё as е), by name."""
    wanted = _folded(text.strip())
    with uow:
        every = list(uow.records.institutions_by_id().values())
    if wanted:
        every = [i for i in every if any(w.startswith(wanted) for w in _prefixes(i.name))]
    every.sort(key=lambda i: _folded(i.name))
    return every[:max(1, min(limit, MAX_SUGGESTIONS))]


def _folded(text: str) -> str:
    return text.casefold().replace("ё", "е")


def _prefixes(name: str) -> list[str]:
    folded = _folded(name)
    return [folded, *(folded[i + 1:] for i, ch in enumerate(folded) if not ch.isalnum())]


# -- withdrawing -----------------------------------------------------------------------------------------------
def _tombstone(kind: str, record: Mapping[str, Any], at: str, reason: str) -> dict[str, object]:
    return {"id": record["id"], "tombstone": True, "at": at, "reason": reason, "withdrawn": dict(record)}


def _withdraw(uow: StaffUnitOfWork, kind: str, record: Mapping[str, Any], at: datetime, reason: str,
              still_used: list[Problem]) -> None:
    """Withdraw one record nothing live refers to any more; it leaves every list and page, never the ledger."""
    if not reason.strip():
        still_used.insert(0, Problem(kind, "reason", "say why it is withdrawn"))
    if still_used:
        raise InvalidInput(still_used)
    when = audit.iso(at)
    record_id = str(record["id"])
    uow.records.withdraw_record(kind, record_id, when, reason.strip())
    apply_changes(uow, [Change(Action.TOMBSTONE, kind, record_id, _tombstone(kind, record, when, reason.strip()))])


def withdraw_case(uow: StaffUnitOfWork, writer: User, case_id: str, reason: str, at: datetime) -> Case:
    """Withdraw a case opened by mistake: it must have no live event left (withdraw or move those first)."""
    with uow:
        vis = _writer(uow, writer)
        vis.require_case(case_id)
        case = uow.records.case(case_id)
        events = uow.records.events_by_case([case_id], facts_only=True).get(case_id, [])
        used = [Problem("case", "events", f"the case still has {len(events)} event(s); withdraw them first")] \
            if events else []
        _withdraw(uow, "case", case_to_dict(case), at, reason, used)
        uow.commit()
    return case


def withdraw_person(uow: StaffUnitOfWork, writer: User, person_id: str, reason: str, at: datetime) -> Person:
    """Withdraw a person no live case is about."""
    with uow:
        vis = _writer(uow, writer)
        person = _require_person(vis, person_id)
        cases = uow.records.cases_of_person(person_id)
        used = [Problem("person", "cases", f"{len(cases)} case(s) are about this person; withdraw them first")] \
            if cases else []
        if _named_in_details(uow, "person", person_id):
            used.append(Problem("person", "events", "events name this person in their details; correct them first"))
        _withdraw(uow, "person", person_to_dict(person), at, reason, used)
        uow.commit()
    return person


def withdraw_source(uow: StaffUnitOfWork, writer: User, source_id: str, reason: str, at: datetime) -> Source:
    """Withdraw a source no live event cites."""
    with uow:
        vis = _writer(uow, writer)
        source = _require_source(vis, source_id)
        cases = uow.records.cases_citing(source_id)
        used = [Problem("source", "events", "events still cite this source; correct or withdraw them first")] \
            if cases else []
        _withdraw(uow, "source", source_to_dict(source), at, reason, used)
        uow.commit()
    return source


def withdraw_institution(uow: StaffUnitOfWork, writer: User, institution_id: str, reason: str,
                         at: datetime) -> Institution:
    """Withdraw an institution no live event names and no other institution is part of."""
    with uow:
        _writer(uow, writer)
        inst = uow.records.institution(institution_id)
        used = []
        if uow.records.event_facts_at_institutions([institution_id]):
            used.append(Problem("institution", "events", "events still name this institution; correct them first"))
        if _named_in_details(uow, "institution", institution_id):
            used.append(Problem("institution", "events", "events name this institution in their details; correct "
                                                         "them first"))
        if any(i.parent_id == institution_id for i in uow.records.institutions_by_id().values()):
            used.append(Problem("institution", "parent", "other institutions are part of this one"))
        _withdraw(uow, "institution", institution_to_dict(inst), at, reason, used)
        uow.commit()
    return inst


def _named_in_details(uow: StaffUnitOfWork, kind: str, record_id: str) -> bool:
    """Whether a live event names a person or institution in a reference detail (an addressee, an applicant)."""
    kinds = ("institution", "institutions") if kind == "institution" else ("person", "people")
    types = [t.value for t, spec in EVENT_SPECS.items() if any(f.kind.value in kinds for f in spec.fields)]
    for event in uow.records.events_of_types(types):
        if any(record_id in event.refs(f.name) for f in event.spec.fields if f.kind.value in kinds):
            return True
    return False
