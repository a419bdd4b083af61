"""R1–R5 and R9: firing cases and the near misses that must not fire."""

from __future__ import annotations

from timeline_builders import Record, T, of_rule

from dutycare.rules.model import Certainty

E, P = Certainty.ESTABLISHED, Certainty.POSSIBLE


def injured() -> Record:
    r = Record()
    r.injury("2024-01-10")
    r.finding("2024-01-20")
    return r


# R1 ---------------------------------------------------------------------------------------------------------------

def test_r1_fit_decision_with_outstanding_surgery_is_established_and_quotes_dates_and_names() -> None:
    r = injured()
    rec = r.recommend("2024-02-02")
    decision = r.decide("2024-03-15", "А")
    [finding] = of_rule(r.evaluate(), "R1")
    assert finding.certainty is E
    assert finding.event_ids == (rec.id, decision.id)
    assert finding.institution_id == "VVK"
    assert "15.03.2024" in finding.explanation_ru and "02.02.2024" in finding.explanation_ru
    assert "ВВК госпиталя" in finding.explanation_ru and "категория А" in finding.explanation_ru
    assert "15 March 2024" in finding.explanation_en


def test_r1_category_b_is_fit_too() -> None:
    r = injured()
    r.recommend("2024-02-02")
    r.decide("2024-03-15", "Б")
    assert len(of_rule(r.evaluate(), "R1")) == 1


def test_r1_not_when_surgery_was_provided_before_the_decision() -> None:
    r = injured()
    r.recommend("2024-02-02")
    r.provide("2024-02-20")
    r.decide("2024-03-15", "А")
    assert of_rule(r.evaluate(), "R1") == []


def test_r1_provision_matches_treatment_ignoring_case_and_spacing() -> None:
    r = injured()
    r.recommend("2024-02-02", "Removal  of Fragment")
    r.provide("2024-02-20", " removal of fragment ")
    r.decide("2024-03-15", "А")
    assert of_rule(r.evaluate(), "R1") == []


def test_r1_provision_on_the_decision_day_counts_as_done() -> None:
    r = injured()
    r.recommend("2024-02-02")
    r.provide("2024-03-15")
    r.decide("2024-03-15", "А")
    assert of_rule(r.evaluate(), "R1") == []


def test_r1_not_when_the_recommendation_comes_after_the_decision() -> None:
    r = injured()
    r.decide("2024-03-15", "А")
    r.recommend("2024-04-02")
    assert of_rule(r.evaluate(), "R1") == []


def test_r1_not_for_an_unfit_decision() -> None:
    r = injured()
    r.recommend("2024-02-02")
    r.decide("2024-03-15", "Г")
    assert of_rule(r.evaluate(), "R1") == []


def test_r1_month_only_recommendation_in_the_decision_month_is_possible() -> None:
    r = injured()
    r.recommend("2024-03")
    r.decide("2024-03-15", "А")
    [finding] = of_rule(r.evaluate(), "R1")
    assert finding.certainty is P
    assert "в марте 2024" in finding.explanation_ru and "in March 2024" in finding.explanation_en
    assert "не установлен" in finding.explanation_ru


def test_r1_provision_of_uncertain_date_makes_it_possible() -> None:
    r = injured()
    r.recommend("2024-02-02")
    r.provide("2024-03")
    r.decide("2024-03-15", "А")
    [finding] = of_rule(r.evaluate(), "R1")
    assert finding.certainty is P


def test_r1_approximate_dates_are_widened() -> None:
    r = injured()
    r.recommend("~2024-03-10")
    r.decide("2024-03-15", "А")
    [finding] = of_rule(r.evaluate(), "R1")
    assert finding.certainty is P
    assert "(приблизительно)" in finding.explanation_ru


# R2 ---------------------------------------------------------------------------------------------------------------

def test_r2_two_recommendations_never_provided() -> None:
    r = injured()
    first, second = r.recommend("2024-02-02"), r.recommend("2024-05-10")
    [finding] = of_rule(r.evaluate(), "R2")
    assert finding.certainty is E
    assert finding.event_ids == (first.id, second.id)
    assert "2 раза" in finding.explanation_ru


def test_r2_not_for_a_single_recommendation() -> None:
    r = injured()
    r.recommend("2024-02-02")
    assert of_rule(r.evaluate(), "R2") == []


def test_r2_not_when_provided_after_the_recommendations() -> None:
    r = injured()
    r.recommend("2024-02-02")
    r.recommend("2024-05-10")
    r.provide("2024-06-01")
    assert of_rule(r.evaluate(), "R2") == []


def test_r2_counts_only_recommendations_after_the_last_provision() -> None:
    r = injured()
    r.recommend("2023-11-02")
    r.provide("2023-12-01")
    later = [r.recommend("2024-02-02"), r.recommend("2024-05-10")]
    [finding] = of_rule(r.evaluate(), "R2")
    assert finding.event_ids == tuple(e.id for e in later)


def test_r2_different_treatments_do_not_add_up() -> None:
    r = injured()
    r.recommend("2024-02-02", "knee surgery")
    r.recommend("2024-05-10", "physiotherapy")
    assert of_rule(r.evaluate(), "R2") == []


def test_r2_two_recommendations_that_may_be_one_day_are_possible() -> None:
    r = injured()
    r.recommend("2024-02")
    r.recommend("2024-02-10")
    [finding] = of_rule(r.evaluate(), "R2")
    assert finding.certainty is P


# R3 ---------------------------------------------------------------------------------------------------------------

def test_r3_refusal_citing_unwritten_directive_without_quoting_the_sensitive_reason() -> None:
    r = injured()
    refusal = r.refuse("2024-02-10", "unwritten_directive")
    [finding] = of_rule(r.evaluate(), "R3")
    assert finding.certainty is E and finding.event_ids == (refusal.id,)
    assert "10.02.2024" in finding.explanation_ru and "Волгоградский военный госпиталь" in finding.explanation_ru
    assert "secret" not in finding.explanation_ru + finding.explanation_en


def test_r3_not_for_refusal_with_no_indication() -> None:
    r = injured()
    r.refuse("2024-02-10", "no_indication")
    assert of_rule(r.evaluate(), "R3") == []


# R4 ---------------------------------------------------------------------------------------------------------------

def test_r4_label_after_a_finding_documenting_the_injury() -> None:
    r = injured()
    label = r.add(T.MALINGERING_LABEL, "2024-03-01", "H")
    [finding] = of_rule(r.evaluate(), "R4")
    assert finding.certainty is E and finding.event_ids[-1] == label.id


def test_r4_not_when_the_label_precedes_every_finding() -> None:
    r = Record()
    r.add(T.MALINGERING_LABEL, "2024-01-05", "H")
    r.finding("2024-01-20")
    assert of_rule(r.evaluate(), "R4") == []


def test_r4_not_when_the_finding_does_not_document_the_injury() -> None:
    r = Record()
    r.finding("2024-01-20", documents_injury=False)
    r.add(T.MALINGERING_LABEL, "2024-03-01", "H")
    assert of_rule(r.evaluate(), "R4") == []


def test_r4_a_refusal_citing_malingering_is_a_label() -> None:
    r = injured()
    r.refuse("2024-03-01", "malingering")
    assert len(of_rule(r.evaluate(), "R4")) == 1


def test_r4_same_day_finding_is_possible() -> None:
    r = Record()
    r.finding("2024-03-01")
    r.add(T.MALINGERING_LABEL, "2024-03-01", "H")
    [finding] = of_rule(r.evaluate(), "R4")
    assert finding.certainty is P


# R5 ---------------------------------------------------------------------------------------------------------------

def test_r5_deployed_with_treatment_outstanding() -> None:
    r = injured()
    r.recommend("2024-02-02")
    deployment = r.add(T.DEPLOYED, "2024-04-01", "U", destination="front")
    [finding] = of_rule(r.evaluate(), "R5")
    assert finding.certainty is E and finding.event_ids[-1] == deployment.id
    assert "01.04.2024" in finding.explanation_ru


def test_r5_not_when_the_treatment_was_provided_before_deployment() -> None:
    r = injured()
    r.recommend("2024-02-02")
    r.provide("2024-03-01")
    r.add(T.DEPLOYED, "2024-04-01", "U")
    assert of_rule(r.evaluate(), "R5") == []


def test_r5_deployed_after_a_temporarily_unfit_decision() -> None:
    r = injured()
    r.decide("2024-02-01", "Г")
    r.add(T.DEPLOYED, "2024-04-01", "U")
    assert [f.certainty for f in of_rule(r.evaluate(), "R5")] == [E]


def test_r5_not_when_a_fit_decision_followed_the_unfit_one() -> None:
    r = injured()
    r.decide("2024-02-01", "В")
    r.decide("2024-03-01", "А")
    r.add(T.DEPLOYED, "2024-04-01", "U")
    assert of_rule(r.evaluate(), "R5") == []


def test_r5_deployed_after_a_not_recovered_discharge() -> None:
    r = injured()
    r.add(T.DISCHARGED, "2024-02-01", "H", condition="not_recovered")
    r.add(T.DEPLOYED, "2024-04-01", "U")
    assert len(of_rule(r.evaluate(), "R5")) == 1


def test_r5_not_without_a_recorded_injury_before_deployment() -> None:
    r = Record()
    r.recommend("2024-02-02")
    r.add(T.DEPLOYED, "2024-04-01", "U")
    r.injury("2024-05-01")
    assert of_rule(r.evaluate(), "R5") == []


# R9 ---------------------------------------------------------------------------------------------------------------

def test_r9_causal_link_not_stated_is_established() -> None:
    r = injured()
    decision = r.decide("2024-03-15", "В", causal_link="not_stated")
    [finding] = of_rule(r.evaluate(), "R9")
    assert finding.certainty is E and finding.event_ids == (decision.id,)


def test_r9_causal_link_not_recorded_is_only_possible() -> None:
    r = injured()
    r.decide("2024-03-15", "В")
    [finding] = of_rule(r.evaluate(), "R9")
    assert finding.certainty is P


def test_r9_not_when_the_causal_link_is_present() -> None:
    r = injured()
    r.decide("2024-03-15", "В", causal_link="military_trauma")
    assert of_rule(r.evaluate(), "R9") == []


def test_r9_not_without_an_injury_before_the_decision() -> None:
    r = Record()
    r.decide("2024-03-15", "А", causal_link="not_stated")
    assert of_rule(r.evaluate(), "R9") == []


def test_r4_label_and_malingering_refusal_recorded_for_one_act_give_one_finding() -> None:
    r = injured()
    label = r.add(T.MALINGERING_LABEL, "2024-03-01", "H")
    refusal = r.refuse("2024-03-01", "malingering")
    [finding] = of_rule(r.evaluate(), "R4")
    assert {label.id, refusal.id} <= set(finding.event_ids)
