"""Stories a lawyer would write against the findings: what the law says, not what the record's examples happen to
show — the channel, the kind, extensions, records, a patient's own refusal, a written order, the causal link."""

from __future__ import annotations

from datetime import date

from timeline_builders import Record, T, of_rule

from dutycare.rules.model import Certainty

E, P = Certainty.ESTABLISHED, Certainty.POSSIBLE


def test_the_canonical_video_appeal_is_never_reported_overdue_but_says_no_period_runs() -> None:
    r = Record()
    r.complaint("~2024-03", "P", "SK", "GP", channel="video_message")
    found = of_rule(r.evaluate(date(2024, 12, 1)), "R6")
    assert sorted(f.institution_id or "" for f in found) == ["GP", "P", "SK"]
    for f in found:
        assert f.certainty is P
        assert "срок ответа законом не установлен" in f.explanation_ru and "срок истекал" not in f.explanation_ru
        assert "the law sets no answer period" in f.explanation_en
    sk = next(f for f in found if f.institution_id == "SK")
    assert "УПК ст. 141" in sk.explanation_ru and "Вид обращения не указан" in sk.explanation_ru


def test_a_written_copy_to_the_same_body_runs_the_clock_and_silences_the_video_finding() -> None:
    r = Record()
    r.complaint("~2024-03", "P", "GP", channel="video_message")
    copy = r.complaint("2024-04-01", "GP", channel="letter")
    r.lifecycle(T.COMPLAINT_REGISTERED, "2024-04-02", copy, "GP")
    found = of_rule(r.evaluate(date(2024, 12, 1)), "R6")
    at_gp = [f for f in found if f.institution_id == "GP"]
    assert len(at_gp) == 1 and at_gp[0].certainty is E and copy.id in at_gp[0].event_ids
    assert "02.05.2024" in at_gp[0].explanation_ru  # 02.04 + 30 = 02.05.2024 (01.05 is a holiday, 02.05 is not)
    assert [f.certainty for f in found if f.institution_id == "P"] == [P]  # no copy went to the President


def test_an_answered_video_appeal_gives_no_finding() -> None:
    r = Record()
    video = r.complaint("2024-03-01", "P", channel="video_message")
    r.lifecycle(T.COMPLAINT_ANSWERED, "2024-08-01", video, "P", outcome="formal_reply")
    assert of_rule(r.evaluate(date(2024, 12, 1)), "R6") == []


def test_an_e_mail_sent_after_30_march_2025_is_not_an_overdue_appeal() -> None:
    r = Record()
    r.complaint("2025-04-01", "P", channel="email")
    [finding] = of_rule(r.evaluate(date(2025, 12, 1)), "R6")
    assert finding.certainty is P and "547-ФЗ" in finding.explanation_ru
    r2 = Record()
    r2.complaint("2025-03-28", "P", channel="email")
    [before] = of_rule(r2.evaluate(date(2025, 12, 1)), "R6")
    assert "срок истекал" in before.explanation_ru


def test_a_complaint_to_the_committee_that_reports_no_crime_is_an_appeal_of_30_days() -> None:
    r = Record()
    appeal = r.add(T.COMPLAINT, "2024-06-03", None, addressees=["SK"], applicants=["p1"], channel="letter",
                   subject="refused surgery", kind="appeal")
    r.lifecycle(T.COMPLAINT_REGISTERED, "2024-06-03", appeal, "SK")
    assert of_rule(r.evaluate(date(2024, 6, 10)), "R6") == []  # a crime report would be late by now
    [late] = of_rule(r.evaluate(date(2024, 7, 4)), "R6")
    assert late.certainty is E and "03.07.2024" in late.explanation_ru and "59-ФЗ" in late.explanation_ru


def test_a_crime_report_is_late_after_three_days() -> None:
    r = Record()
    r.add(T.COMPLAINT, "2024-06-03", None, addressees=["SK"], applicants=["p1"], channel="letter",
          subject="concealment", kind="crime_report")
    [late] = of_rule(r.evaluate(date(2024, 6, 10)), "R6")
    assert "06.06.2024" in late.explanation_ru and "Вид обращения не указан" not in late.explanation_ru


def test_an_extension_without_notice_is_named_and_does_not_save_the_body() -> None:
    r = Record()
    c = r.complaint("2024-01-10", "P", channel="letter")
    r.lifecycle(T.COMPLAINT_REGISTERED, "2024-01-10", c, "P")
    ext = r.lifecycle(T.COMPLAINT_EXTENDED, "2024-02-05", c, "P", extended_by_days=30, notice_given=False)
    [finding] = of_rule(r.evaluate(date(2024, 2, 20)), "R6")
    assert finding.certainty is E and ext.id in finding.event_ids
    assert "без уведомления заявителя срок не переносит" in finding.explanation_ru
    assert "09.02.2024" in finding.explanation_ru


def test_records_late_from_registration_are_established_and_without_it_only_possible() -> None:
    r = Record()
    r.add(T.RECORDS_REQUESTED, "2025-03-03", "H", records="card", registered_on="2025-03-07")
    [late] = of_rule(r.evaluate(date(2025, 4, 8)), "R10")
    assert late.certainty is E and "07.04.2025" in late.explanation_ru
    r2 = Record()
    r2.add(T.RECORDS_REQUESTED, "2025-03-03", "H", records="card")
    assert of_rule(r2.evaluate(date(2025, 4, 3)), "R10")[0].certainty is P
    assert "Регистрация запроса не записана" in of_rule(r2.evaluate(date(2025, 5, 1)), "R10")[0].explanation_ru


def test_a_patients_informed_refusal_is_not_outstanding_treatment() -> None:
    r = Record()
    r.injury("2024-01-05")
    r.recommend("2024-01-10", "knee surgery")
    r.add(T.TREATMENT_DECLINED, "2024-01-12", "H", treatment="knee surgery", informed_consent_form=True)
    r.recommend("2024-01-20", "knee surgery")  # recommended again: R2 needs two after the last refusal
    r.decide("2024-01-15", "А")
    r.add(T.DEPLOYED, "2024-01-18", "U")
    found = r.evaluate()
    assert of_rule(found, "R1") == [] and of_rule(found, "R5") == [] and of_rule(found, "R3") == []
    assert of_rule(found, "R2") == []


def test_a_refusal_said_to_be_the_patients_without_the_form_leaves_it_possible() -> None:
    r = Record()
    r.recommend("2024-01-10", "knee surgery")
    r.add(T.TREATMENT_DECLINED, "2024-01-12", "H", treatment="knee surgery", informed_consent_form=False)
    r.decide("2024-01-15", "А")
    [finding] = of_rule(r.evaluate(), "R1")
    assert finding.certainty is P


def test_a_refusal_citing_a_named_dated_written_order_is_not_an_unwritten_directive() -> None:
    r = Record()
    r.add(T.TREATMENT_REFUSED, "2024-02-01", "H", treatment="surgery", reason="secret", reason_kind="written_order",
          order_reference="приказ начальника госпиталя № 12", order_date="2024-01-15")
    r.add(T.TREATMENT_REFUSED, "2024-02-02", "H", treatment="surgery", reason="secret",
          reason_kind="unwritten_directive", order_reference="приказ № 7", order_date="2024-01-20")
    assert of_rule(r.evaluate(), "R3") == []
    r.refuse("2024-02-03", "unwritten_directive", "surgery")
    assert len(of_rule(r.evaluate(), "R3")) == 1


def test_an_unfit_conclusion_without_a_causal_link_is_r9_with_or_without_a_recorded_injury() -> None:
    r = Record()
    r.decide("2024-05-01", "В", causal_link="not_stated")
    [finding] = of_rule(r.evaluate(), "R9")
    assert finding.certainty is E and "категория В" in finding.explanation_ru
    assert "вышестоящую ВВК" in finding.explanation_ru
    r2 = Record()
    r2.decide("2024-05-01", "Д")
    assert [f.certainty for f in of_rule(r2.evaluate(), "R9")] == [P]
    r3 = Record()
    r3.decide("2024-05-01", "Б")
    assert of_rule(r3.evaluate(), "R9") == []  # fit, and no injury recorded
    r3.decide("2024-06-01", "Г", causal_link="military_trauma")
    assert of_rule(r3.evaluate(), "R9") == []
