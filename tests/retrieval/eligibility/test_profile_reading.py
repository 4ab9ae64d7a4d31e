"""The profile parser on self-descriptions as candidates write them (EN/FR/ES), with a fixed
clock for open periods ("since January 2022")."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.eligibility import parse_profile

TODAY = date(2025, 1, 15)


def years(text: str) -> float | None:
    return parse_profile(text, TODAY).years_experience


def before(text: str) -> float:
    return parse_profile(text, TODAY).years_before_first_degree


# ---- date ranges and open ranges ------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("I worked at a contact point from February 2023 to November 2024.", 1.83),
    ("J'ai travaillé dans une ONG de février 2023 à novembre 2024.", 1.83),
    ("Trabajé en el ministerio desde febrero de 2023 hasta noviembre de 2024.", 1.83),
    ("2019–2021 at the labour ministry.", 2.0),
    ("I worked 2019-21 at a think tank.", 2.0),
    ("Analyst at the ministry, Jan 2020 – present.", 5.0),
    ("Since January 2022 I've been a researcher at the observatory.", 3.0),
    ("Depuis janvier 2022 je travaille au ministère du Travail.", 3.0),
    ("Desde enero de 2022 trabajo en una ONG.", 3.0),
    ("From Sept. 2021 to Dec. 2023 I worked at a trade union.", 2.33),
    # months by their number, and "fin octobre", "end of March"
    ("From 03/2021 to 06/2022 I was at an NGO on domestic workers' rights.", 1.33),
    ("J'ai bossé de mai 2022 à fin octobre 2024 dans un think tank.", 2.5),
    # a start told in the present tense is an open range
    ("MBA 2019, from January 2022 I work on due diligence at a garment brand.", 3.0),
    # a range after a dated degree, in a clause of its own, is work, not the degree's dates
    ("J'ai une licence en sociologie (2019) et j'ai bossé de janvier 2020 à décembre 2021 "
     "dans une ONG.", 2.0),
])
def test_date_ranges_and_open_ranges(text: str, expected: float) -> None:
    assert years(text) == expected


def test_open_range_follows_the_clock() -> None:
    text = "Since January 2022 I've been an analyst."
    assert parse_profile(text, date(2026, 1, 20)).years_experience == 4.0


# ---- months and years -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("I'm 9 months into a research contract.", 0.75),
    ("18 months at a labour market think tank.", 1.5),
    ("three years at an NGO.", 3.0),
    ("3 years as a legal researcher.", 3.0),
    ("2 years and 8 months as an economist.", 2.67),
    ("trois ans dans un syndicat.", 3.0),
    ("18 meses de pasantía en la OIT.", 1.5),
    ("two and a half years at a court registry.", 2.5),
])
def test_months_and_years(text: str, expected: float) -> None:
    assert years(text) == expected


def test_time_off_and_study_periods_are_not_experience() -> None:
    text = ("Then an MA in sociology (2019-2021). After the MA I travelled for a year, then did "
            "14 months at a research institute.")
    assert years(text) == 1.17


def test_a_summary_replaces_the_periods_it_sums() -> None:
    text = ("BA in sociology (2018). From September 2019 to August 2023 I was a researcher at a "
            "union, exactly four years.")
    assert years(text) == 4.0
    # an approximate summary too ("so ~3 yrs")
    assert years("since 2021 i work at an ngo on labour rights so ~3 yrs") == 3.0


@pytest.mark.parametrize(("text", "expected"), [
    ("BA in economics, then 5 years on a policy team (2017-2022).", 5.0),
    ("It was 3 years, from 2019 to 2022.", 3.0),
    # a told length is rounded: "~5 years" beside 2019–now (6 years) is one period
    ("Been at a development bank ~5 years since then (2019-now).", 6.0),
    ("I worked 2 years at an NGO (2018-2020) and 3 years at a ministry (2020-2023).", 5.0),
    # the durations say what an open range held
    ("Working on music policy ever since 2015: 7 years at a collecting society and then 2 "
     "years at the ministry.", 9.0),
])
def test_a_duration_beside_its_dates_is_one_period(text: str, expected: float) -> None:
    assert years(text) == expected


def test_job_hunting_since_then_is_no_period() -> None:
    assert years("From 2019 to 2021 I was at a think tank. Since then job hunting.") == 2.0


def test_since_then_without_work_is_no_period() -> None:
    text = ("MA in economics (2019-2021). From November 2021 to September 2022 I was a research "
            "assistant; since then I've been caring for a family member and haven't worked.")
    assert years(text) == 0.92


def test_a_correction_replaces_only_what_it_states() -> None:
    from retrieval.eligibility.profile import corrected_text

    first = "MA in law, 5 years in labour law (2017-2022), fluent English. Eligible for NORMES?"
    fixed = parse_profile(corrected_text(first, "sorry, it was 3 years", TODAY), TODAY)
    assert fixed.years_experience == 3.0 and fixed.degree_level == "advanced"
    assert fixed.languages == {"en": "fluent"}
    more = parse_profile(corrected_text(first, "I also worked 2 years at a union", TODAY), TODAY)
    assert more.years_experience == 7.0


# ---- before / after the first degree --------------------------------------------------------

def test_before_university_is_kept_apart() -> None:
    text = ("Before uni I worked 3 years at a job centre. Then I did a BA in sociology and right "
            "after graduating I started a contract, I'm 9 months in.")
    assert (years(text), before(text)) == (3.75, 3.0)


def test_during_the_bachelor_is_before_the_first_degree() -> None:
    text = ("All through my BA in sociology (2016-2019) I worked 20 hours a week at a youth "
            "centre, so that's 3 years.")
    assert (years(text), before(text)) == (3.0, 3.0)


def test_dates_place_periods_against_the_degree_year() -> None:
    text = ("BSc in economics (graduated June 2020), then from September 2020 to August 2022 I "
            "worked at the statistics office. After that I did an MSc (Sept 2022 to Sept 2023) "
            "and since then I've been a data analyst.")
    profile = parse_profile(text, TODAY)
    assert [p.timing for p in profile.experience_periods] == ["after_first_degree"] * 2
    assert profile.years_experience == 3.33 and profile.years_before_first_degree == 0


def test_french_and_spanish_before_cues() -> None:
    assert before("Avant la fac, j'ai travaillé deux ans dans un magasin.") == 2.0
    assert before("Antes de la universidad trabajé dos años en una tienda.") == 2.0


def test_mba_year_dates_the_degree() -> None:
    profile = parse_profile("MBA (2021), and I've been an analyst since January 2022.", TODAY)
    assert profile.experience_periods[0].timing == "after_first_degree"


# ---- degrees --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "level", "field"), [
    ("MSc in Economics from Warwick", "advanced", "economics"),
    ("MA in international relations", "advanced", "international relations"),
    ("MBA from INSEAD", "advanced", "business administration"),
    ("LLM in labour law", "advanced", "labour law"),
    ("I have an LLB", "first", "law"),
    ("BSc in Data Science", "first", "data science"),
    ("BA in anthropology", "first", "anthropology"),
    ("PhD in labour economics", "advanced", "labour economics"),
    ("Licenciatura en economía (5-year degree)", "first", "economía"),
    ("Maîtrise in economics from UQAM", "advanced", "economics"),
    ("master 2 in development economics", "advanced", "development economics"),
    ("J'ai une licence en droit", "first", "droit"),
    ("Tengo un máster en derecho", "advanced", "derecho"),
    ("BEng in civil engineering, then an LLM in international law", "advanced",
     "international law"),
])
def test_degree_spellings(text: str, level: str, field: str) -> None:
    profile = parse_profile(text, TODAY)
    assert (profile.degree_level, profile.degree_field) == (level, field)


@pytest.mark.parametrize("text", [
    "I never finished university, but I have 3 years as an HR coordinator.",
    "No degree, high school only.",
    "I dropped out of my sociology degree in third year.",
    "Je n'ai pas de diplôme universitaire.",
    "No tengo título universitario.",
])
def test_no_degree(text: str) -> None:
    profile = parse_profile(text, TODAY)
    assert profile.no_degree and not profile.has_degree


@pytest.mark.parametrize("text", [
    "BA in economics, currently doing my master's in economics.",
    "BA in economics; master's in economics in progress.",
    "I'm in the final semester of my MSc. Before the master's, right after my bachelor's, I "
    "worked three years.",
])
def test_degree_in_progress_is_not_obtained(text: str) -> None:
    profile = parse_profile(text, TODAY)
    assert (profile.degree_level, profile.degree_in_progress) == ("first", "advanced")


@pytest.mark.parametrize("text", [
    "Bachelor in economics, started a master in development economics but dropped out after "
    "one semester.",
    "BA in economics; I dropped out of my master's after a year.",
    "J'ai un bachelor en économie, j'ai commencé un master mais j'ai abandonné au bout d'un an.",
])
def test_a_degree_begun_and_left_is_not_held(text: str) -> None:
    profile = parse_profile(text, TODAY)
    assert (profile.degree_level, profile.degree_in_progress) == ("first", None)


def test_a_denied_degree_is_not_held() -> None:
    profile = parse_profile("I have a law degree (the 5-year licenciatura, no master's).", TODAY)
    assert profile.degree_level == "first"


# ---- languages ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("English C2, Spanish native.", {"en": "fluent", "es": "native"}),
    ("Native English, French B1.", {"en": "native", "fr": "good"}),
    ("English is my first language.", {"en": "native"}),
    ("Spanish is my mother tongue, decent English.", {"es": "native", "en": "good"}),
    ("My English is weak and I have no French.", {"en": "basic", "fr": "none"}),
    ("Native English speaker but zero French or Spanish.",
     {"en": "native", "fr": "none", "es": "none"}),
    ("English and French both fluent.", {"en": "fluent", "fr": "fluent"}),
    ("I'm francophone and my English is basic.", {"fr": "native", "en": "basic"}),
    ("Français langue maternelle, anglais courant.", {"fr": "native", "en": "fluent"}),
    ("Español nativo, inglés intermedio, nada de francés.",
     {"es": "native", "en": "good", "fr": "none"}),
    ("Good English, basic Spanish.", {"en": "good", "es": "basic"}),
    # lists typed with "+", "/" and "&"
    ("english + german", {"en": "spoken", "de": "spoken"}),
    ("fluent english + basic french", {"en": "fluent", "fr": "basic"}),
    ("english/french fluent", {"en": "fluent", "fr": "fluent"}),
    ("english (fluent) & french (basic)", {"en": "fluent", "fr": "basic"}),
])
def test_language_levels(text: str, expected: dict[str, str]) -> None:
    assert parse_profile(text, TODAY).languages == expected


def test_study_is_not_work_and_a_degree_studied_for_is_not_held() -> None:
    p = parse_profile("I got my bachelor's in economics in 2020. From January 2021 to December "
                      "2023 I was a research assistant at a think tank; since 2024 I'm a "
                      "full-time master's student.", date(2026, 12, 7))
    assert (p.degree_level, p.degree_in_progress, p.degree_field) == ("first", "advanced",
                                                                      "economics")
    assert p.years_experience == 3.0


def test_a_start_told_in_the_present_perfect_runs_to_today() -> None:
    p = parse_profile("from Sept 2022, I've worked on due diligence at an NGO", date(2026, 12, 7))
    assert p.years_experience == 4.25


def test_fields_in_spanish_are_read_not_corrected(ask) -> None:
    """"sociología" is a field of the lexicon: the spelling corrector leaves it alone (it once
    became German "soziologie"), and sociology counts as a social science."""
    a = ask("I have a licenciatura en sociología (2021). From Feb 2022 to Nov 2024 I worked at "
            "the Ministry of Labour on domestic workers. Spanish native, English fluent (C2). "
            "Am I eligible for the vulnerable work JPO?")
    assert "(eligible)" in a.text.splitlines()[0], a.text


# ---- stories told the way candidates tell them (blind set 4) ----------------------------------

def test_time_spent_studying_or_living_somewhere_is_no_work() -> None:
    spanish = parse_profile(
        "soy licenciada en ciencias políticas (2020). de 04/2021 a 03/2024 fui investigadora en "
        "un observatorio. desde entonces estoy haciendo un posgrado, sin trabajar.", TODAY)
    assert spanish.years_experience == 3.0  # April 2021 – March 2024 only
    assert spanish.degree_in_progress == "advanced" and spanish.degree_level == "first"
    assert "estoy haciendo" not in spanish.other_degree_fields
    lived = parse_profile("english is C2 (lived in london 6 yrs), french B1", TODAY)
    assert lived.years_experience is None


def test_a_told_total_does_not_add_to_the_periods_it_sums() -> None:
    p = parse_profile(
        "i worked at a job centre as caseworker 2015-2019, then did a bachelor in sociology "
        "2019-2022 (finished july 2022). since march 2024 im a trainee at a think tank. "
        "i have like 6 yrs experience total", TODAY)
    assert p.years_experience == 4.83  # 4 years before the degree + 10 months since
    assert p.years_before_first_degree == 4.0


def test_a_start_told_alone_is_an_open_range() -> None:
    assert years("sorry, i started there in march 2023 not 2021") == 1.83
    assert years("i started my master in 2022, english fluent") is None
    assert years("i joined the ngo in 2021 and left in 2023") is None  # its end is told


def test_the_field_spelled_out_in_brackets() -> None:
    assert parse_profile("soc bachelor (sociology) 2020", TODAY).degree_field == "sociology"


def test_an_age_after_a_nationality() -> None:
    assert parse_profile("im finnish, 29, MSc epidemiology", TODAY).age == 29
    assert parse_profile("dutch, 30, masters in economics", TODAY).age == 30
    assert parse_profile("i am happy, 25 years in the trade", TODAY).age is None


def test_abbreviations_of_the_work_are_read_as_its_words() -> None:
    p = parse_profile("MSc epidemiology, 3 yrs M&E at an ngo in helsinki", TODAY)
    assert p.experience_periods[0].context.startswith("monitoring and evaluation")


def test_service_and_leave_are_no_work() -> None:
    p = parse_profile("bsc sociology (july 2020). aug 2020–jul 2021 mandatory military service. "
                      "aug 2021–may 2023 parental leave, home with my twins. since june 2023 "
                      "research officer at an ngo.", TODAY)
    assert [x.text for x in p.experience_periods] == ["since june 2023"]


def test_a_length_corrected_away_is_not_counted() -> None:
    assert years("sorry typo, i meant 2 years not 2 months") == 2.0


@pytest.mark.parametrize("idle", [
    "2021-2022 nothing (travel).",
    "since Dec 2024 I've had a gap, caring for my mum.",
    "2021-2022 unemployed.",
])
def test_an_idle_period_is_no_work(idle: str) -> None:
    p = parse_profile(f"BA sociology 2020. {idle} English native.", TODAY)
    assert p.experience_periods == []


@pytest.mark.parametrize("work", [
    "since oct 2021 i work at the ministry of labour (programmes for long term unemployed).",
    "from july 2020 to august 2022 research assistant (2 papers on youth unemployment).",
    "2020-2022 worked on the skills gap in the care economy.",
])
def test_work_about_idleness_is_work(work: str) -> None:
    assert parse_profile(f"BA economics 2019. {work}", TODAY).experience_periods


@pytest.mark.parametrize("text,field,others", [
    ("licence d'économie obtenue en juin 2022", "économie", []),
    ("licence d'économie (2019), puis master data science en 2023", "data science",
     ["économie"]),
    ("bachelor in economics 06/2020, msc economics 09/2022-09/2023", "economics", []),
    ("BA 2019, MSc Economics part-time, finished in 2022", "economics", []),
])
def test_a_degree_field_ends_where_its_date_or_manner_begins(text: str, field: str,
                                                             others: list[str]) -> None:
    """Before: "puis", "économie obtenue en juin", "economics june", "economics part"."""
    p = parse_profile(text, TODAY)
    assert (p.degree_field, p.other_degree_fields) == (field, others)


@pytest.mark.parametrize("text,expected", [
    ("2021-09 → 2023-08 associate at a law firm", 2.0),
    ("2019/09-2021/06 research officer at a union", 1.83),
    ("Jan 21 – Dec 22 legal officer at a trade union", 2.0),
    ("internship at the ILO, Sep–Dec 2021", 0.33),
    ("BA Econ 2018 | 6y labour mkt policy @ federal ministry of labour", 6.0),
])
def test_the_ways_a_cv_writes_dates_and_lengths(text: str, expected: float) -> None:
    assert years(text) == pytest.approx(expected, abs=0.01)


def test_a_range_of_years_is_no_month() -> None:
    """"2021-22" is two years' span, "2021-09" September 2021."""
    from retrieval.eligibility.periods import spell_numeric_months

    assert spell_numeric_months("2021-22") == "2021-22"
    assert spell_numeric_months("2021-09") == "september 2021"
    assert spell_numeric_months("03/2021-06/2023") == "march 2021-june 2023"


def test_language_codes_before_a_level_are_languages() -> None:
    p = parse_profile("MA IR 2021 | 3y NGO | EN C1, DE native, fr B2", TODAY)
    assert set(p.languages) == {"en", "de", "fr"} and p.language_cefr["en"] == "C1"
    # "de" before no level is a word ("de 2019 a 2021")
    assert set(parse_profile("de 2019 a 2021 trabajé en la OIT, inglés C1", TODAY).languages) \
        == {"en"}
