"""Reading ODK Central's and KoboToolbox's exports of the intake form's submissions."""

from __future__ import annotations

import json
from pathlib import Path

from dutycare.adapters.importers.odk_export import MAX_SUBMISSIONS, read_export

ACCOUNT = "Сына ранили в марте, в госпитале отказали в операции."


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_odk_central_csv_with_group_prefixes(tmp_path: Path) -> None:
    path = write(tmp_path, "central.csv",
                 "SubmissionDate,start,end,account,injured,when,where,decision,photo,contact,meta-instanceID,KEY\n"
                 f'2024-05-03T10:00:00.000Z,,,"{ACCOUNT}",сын,март 2024,Ростов,,doc.jpg,Signal +7,uuid:a1,uuid:a1\n')
    read = read_export(path)
    assert read.problems == []
    (sub,) = read.submissions
    assert (sub.instance_id, sub.submitted_on, sub.account) == ("uuid:a1", "2024-05-03", ACCOUNT)
    assert sub.facts == {"injured": "сын", "when": "март 2024", "where": "Ростов"}
    assert sub.contact == "Signal +7" and sub.attachments == ("doc.jpg",)
    assert sub.document()["account"] == ACCOUNT and "contact" not in json.dumps(sub.document())


def test_kobo_csv_with_semicolons_and_slash_groups(tmp_path: Path) -> None:
    path = write(tmp_path, "kobo.csv", "\ufeffgroup/account;group/when;_uuid;_submission_time\n"
                                       f"{ACCOUNT};осенью;u-1;2024-06-01T08:00:00\n")
    (sub,) = read_export(path).submissions
    assert (sub.instance_id, sub.submitted_on, sub.facts) == ("u-1", "2024-06-01", {"when": "осенью"})


def test_odk_central_odata_json(tmp_path: Path) -> None:
    doc = {"value": [{"__id": "uuid:b2", "account": ACCOUNT, "decision": "годен",
                      "__system": {"submissionDate": "2024-07-01T00:00:00Z"}}]}
    (sub,) = read_export(write(tmp_path, "central.json", json.dumps(doc, ensure_ascii=False))).submissions
    assert (sub.instance_id, sub.submitted_on, sub.facts) == ("uuid:b2", "2024-07-01", {"decision": "годен"})


def test_kobo_api_json(tmp_path: Path) -> None:
    doc = {"results": [{"_uuid": "k-9", "grp/account": ACCOUNT, "_submission_time": "2025-01-02T03:04:05"}]}
    (sub,) = read_export(write(tmp_path, "kobo.json", json.dumps(doc, ensure_ascii=False))).submissions
    assert sub.instance_id == "k-9" and sub.submitted_on == "2025-01-02"


def test_problems_name_the_submission_and_the_field(tmp_path: Path) -> None:
    long = "а" * 20_001
    path = write(tmp_path, "bad.csv", "account,where,KEY\n"
                                      f",госпиталь,uuid:1\n{long},,uuid:2\n{ACCOUNT},,\n")
    read = read_export(path)
    assert read.submissions == []
    assert [str(p) for p in read.problems] == [
        "submission 1.account: is empty: every submission needs the account itself",
        "submission 2.account: is 20,001 characters long; at most 20,000 are kept",
        "submission 3.instanceID: has no submission id (meta/instanceID, KEY or _uuid)",
    ]


def test_an_export_with_labels_for_headers_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = write(tmp_path, "labels.csv", "Что произошло — словами рассказчика;_uuid\nтекст;1\n")
    (problem,) = read_export(path).problems
    assert "XML values and headers" in str(problem)


def test_broken_json_and_a_wrong_shape_are_refused(tmp_path: Path) -> None:
    assert "is not JSON" in str(read_export(write(tmp_path, "a.json", '{"value": [')).problems[0])
    assert "no list of submissions" in str(read_export(write(tmp_path, "b.json", '{"x": 1}')).problems[0])
    assert "not an object" in str(read_export(write(tmp_path, "c.json", '[1]')).problems[0])


def test_cp1251_csv_is_read_and_an_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "win.csv", f"account;KEY\n{ACCOUNT};1\n", encoding="cp1251")
    assert read_export(path).submissions[0].account == ACCOUNT
    assert "cannot be read" in str(read_export(tmp_path / "missing.csv").problems[0])


def test_too_many_submissions_are_refused_whole(tmp_path: Path) -> None:
    rows = "".join(f"текст,{n}\n" for n in range(MAX_SUBMISSIONS + 1))
    read = read_export(write(tmp_path, "many.csv", "account,KEY\n" + rows))
    assert read.submissions == [] and "at most 10,000" in str(read.problems[0])
