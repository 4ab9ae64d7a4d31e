"""German questions (issue 15), the way the English, French and Spanish ones are tested: the
language is told, the glossary reads inflections, compounds and typed umlauts, intents and
postings are found, profiles are read, and answers and verdicts come in German framing around
the postings' English facts. The questions here are written for the tests, not taken from
tests/data/gold_de.jsonl."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.eligibility import EligibilityChecker, parse_profile
from retrieval.german import german_glossary
from retrieval.models import Posting
from retrieval.resolver import PostingResolver
from retrieval.understanding import analyse, detect_language
from tests.support.corpus_ids import AI, MULTI, NORMES, SECTOR, VULN
from tests.support.corpus_postings import ListCatalog, parse_corpus

TODAY = date(2025, 1, 15)


@pytest.mark.parametrize(("text", "language"), [
    ("Wer betreut die Stelle zu Sorgfaltspflichten?", "de"),
    ("wo ist der dienstort vom ki job", "de"),
    ("Welche Sprachen brauche ich für den NORMES-Posten?", "de"),
    ("Ich habe einen Master in Jura und drei Jahre Erfahrung.", "de"),
    ("fuer welche stelle reicht ein bachelor", "de"),
    # the other languages stay what they are
    ("Who supervises the NORMES post?", "en"),
    ("Qui supervise le poste NORMES ?", "fr"),
    ("¿Quién supervisa el puesto NORMES?", "es"),
    ("What does the AI post involve?", "en"),
])
def test_language_is_detected(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(("word", "gloss"), [
    ("vorgesetzter", "supervisor"),
    ("vorgesetzten", "supervisor"),  # an inflection, by its Snowball stem
    ("dienstort", "duty station"),  # a compound the glossary lists whole
    ("berufserfahrung", "work experience"),
    ("kreativwirtschafts", "creative economy"),  # split, with the linking "s"
    ("organisationseinheit", "organisational unit"),
    ("besoldungsstufe", "grade"),
    ("prekaerer", "vulnerable"),  # "ä" typed as "ae"
    ("koennen", "can"),
    ("fliessend", "fluent"),  # "ß" folded to "ss"
    ("englisch", "english"),
    ("sechs", "six"),
])
def test_glossary_reads_inflections_compounds_and_typed_umlauts(word: str, gloss: str) -> None:
    assert german_glossary().gloss_word(word) == gloss


def test_gloss_keeps_punctuation_and_tells_wurde_from_wuerde() -> None:
    glossary = german_glossary()
    assert glossary.gloss_text("Ich habe 3 Jahre Berufserfahrung, Englisch fließend.") == \
        "i have 3 years work experience, english fluent."
    assert glossary.gloss_text("wann wurde sie veröffentlicht") == "when was you published"
    assert glossary.gloss_text("wann würde sie beginnen") == "when would you start"
    # an English word is not read as German with a typed umlaut ("due" is not "dü")
    assert glossary.gloss_text("Due-Diligence-Stelle") == "due diligence post"
    # a word the glossary does not know stays as written
    assert glossary.gloss_text("Musikverband") == "Musikverband"


@pytest.mark.parametrize(("question", "intent"), [
    ("Wer ist der Vorgesetzte beim NORMES-Posten?", "supervisor"),
    ("Wie lautet die E-Mail-Adresse der Betreuerin?", "contact"),
    ("Wo ist der Dienstort?", "duty_station"),
    ("In welcher Besoldungsgruppe ist die Stelle?", "grade"),
    ("Wie lange dauert der Einsatz, kann man verlängern?", "duration"),
    ("Zu welcher Abteilung gehört die Stelle?", "department_unit"),
    ("Welche Aufgaben hat man dort?", "duties"),
    ("Welchen Abschluss braucht man?", "education"),
    ("Wie viel Berufserfahrung wird verlangt?", "experience"),
    ("Welche Sprachkenntnisse sind Pflicht?", "languages"),
    ("Welche Kompetenzen werden erwartet?", "competencies"),
    ("Gibt es Schulungen oder Weiterbildung?", "training"),
    ("Wann wurde die Ausschreibung veröffentlicht?", "issue_date"),
    ("Wie lautet die Postnummer?", "post_number"),
    ("Vergleiche NORMES und SECTOR", "compare"),
    ("Kann ich mich mit meinem Profil auf die Stelle bewerben?", "eligibility"),
    ("Erfülle ich die Mindestanforderungen?", "eligibility"),
    ("Komme ich für die Stelle in Frage?", "eligibility"),
    # a statement before the question is context: the question decides what is asked
    ("Ich habe einen Master in Jura. Wo ist die Stelle angesiedelt?", "duty_station"),
])
def test_intents(question: str, intent: str) -> None:
    assert analyse(question).intent == intent


@pytest.mark.parametrize(("question", "topic"), [
    ("Wie viel verdient man dort?", "salary"),
    ("Bis wann kann ich mich bewerben?", "deadline"),
    ("Gibt es eine Altersgrenze?", "age"),
])
def test_not_stated_topics(question: str, topic: str) -> None:
    assert analyse(question).not_stated == topic


def test_capitalised_nouns_are_not_people() -> None:
    q = analyse("Wie viele Jahre Berufserfahrung braucht man im Bereich Arbeitsrecht?")
    assert q.named_people == []
    assert analyse("Welche Funktion hat Lisa Tortell?").named_people == ["Lisa Tortell"]


@pytest.fixture(scope="module")
def postings() -> dict[str, Posting]:
    return {p.id: p for p in parse_corpus()}


@pytest.mark.parametrize(("question", "expected"), [
    ("Wer betreut die Stelle zu künstlicher Intelligenz?", [AI]),
    ("Dauer der Stelle zur Kreativwirtschaft?", [SECTOR]),
    ("Wer ist Vorgesetzter bei den internationalen Arbeitsnormen?", [NORMES]),
    ("Sprachen bei der Stelle zu Hausangestellten?", [VULN]),
    ("Dienstort beim Sorgfaltspflicht-Posten?", [MULTI]),
])
def test_postings_are_found_from_german_words(postings: dict[str, Posting], question: str,
                                              expected: list[str]) -> None:
    resolver = PostingResolver(list(postings.values()))
    assert resolver.resolve(question, analyse(question).english) == expected


# ---- profiles --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "level"), [
    ("Ich habe einen Master in Volkswirtschaft.", "advanced"),
    ("Ich habe einen Masterabschluss in Soziologie.", "advanced"),
    ("Ich habe einen Magister in Politikwissenschaft.", "advanced"),
    ("Ich habe ein Diplom in Informatik.", "advanced"),
    ("Ich habe das zweite Staatsexamen in Jura.", "advanced"),
    ("Ich habe eine Promotion in Soziologie.", "advanced"),
    ("Ich bin Doktor der Rechtswissenschaften.", "advanced"),
    ("Dr. in Statistik, 2 Jahre Erfahrung.", "advanced"),
    ("Ich habe einen Bachelor in BWL.", "first"),
    ("Ich habe einen Bachelorabschluss in Jura.", "first"),
])
def test_german_degree_names(text: str, level: str) -> None:
    assert parse_profile(text, TODAY).degree_level == level


@pytest.mark.parametrize(("text", "years"), [
    ("Ich habe 3 Jahre Berufserfahrung.", 3.0),
    ("Ich habe drei Jahre bei einem Ministerium gearbeitet.", 3.0),
    ("Ich habe eineinhalb Jahre Erfahrung.", 1.5),
    ("Ich habe von 2021 bis 2023 bei einer NGO gearbeitet.", 2.0),
    ("Ich arbeite seit März 2022 bei einer Gewerkschaft.", 2.83),
    ("Ich arbeite seit Maerz 2022 bei einer Gewerkschaft.", 2.83),
    ("18 Monate Erfahrung in der Forschung.", 1.5),
])
def test_german_experience(text: str, years: float) -> None:
    assert parse_profile(text, TODAY).years_experience == years


def test_german_languages_and_levels() -> None:
    profile = parse_profile("Ich spreche fließend Englisch, etwas Französisch und Deutsch als "
                            "Muttersprache.", TODAY)
    assert profile.languages == {"en": "fluent", "fr": "basic", "de": "native"}


def test_german_field_and_domain() -> None:
    profile = parse_profile("Ich habe einen Master in Jura mit Schwerpunkt Arbeitsrecht und "
                            "3 Jahre Berufserfahrung im Arbeitsrecht.", TODAY)
    assert profile.degree_field == "law" and profile.degree_focus == "labour law"
    assert profile.experience_domain == "labour law"


@pytest.fixture(scope="module")
def checker(postings: dict[str, Posting]) -> EligibilityChecker:
    return EligibilityChecker(ListCatalog(list(postings.values())), today=lambda: TODAY)


def test_german_verdicts(checker: EligibilityChecker) -> None:
    yes = checker.answer("Ich habe einen Master in Jura, 3 Jahre Erfahrung im Völkerrecht und "
                         "spreche fließend Englisch. Bin ich geeignet?", [NORMES], language="de")
    assert yes is not None
    assert "Sie erfüllen offenbar alle Mindestanforderungen (geeignet)" in yes.text
    assert "Advanced university degree in Law" in yes.text  # the posting's words, quoted
    assert "Ausbildung" in yes.text and "Sprachen" in yes.text
    no = checker.answer("Ich habe einen Bachelor in BWL und zwei Jahre Erfahrung, Englisch "
                        "fließend. Passt das?", [NORMES], language="de")
    assert no is not None
    assert no.text.startswith("Nicht geeignet für")
    assert "Sie erfüllen nicht alle Mindestanforderungen" in no.text
    # the profile is kept as the candidate wrote it, for follow-ups
    assert no.profile_basis.startswith("Ich habe einen Bachelor in BWL")


# ---- answers ---------------------------------------------------------------------------------

def test_german_answers_quote_the_postings_in_german_frames(ask) -> None:
    supervisor = ask("Wer ist der Vorgesetzte bei der Stelle zu prekärer Arbeit?")
    assert "Claire Hobden" in supervisor.text and "wird betreut von" in supervisor.text
    languages = ask("Welche Sprachen sind beim Sorgfaltspflicht-Posten Pflicht?")
    assert "Sprachen für" in languages.text and "English, French, Spanish" in languages.text
    station = ask("Dienstort vom KI-Job?")
    assert "Geneva" in station.text and "angesiedelt" in station.text
    salary = ask("Wie hoch ist das Gehalt beim NORMES-Posten?")
    assert not salary.found and "nennt das Gehalt oder Zulagen nicht" in salary.text


def test_german_corpus_questions(ask) -> None:
    geneva = ask("Welche Stellen sind in Genf?")
    assert "Alle 5 Stellen sind in Geneva, Switzerland angesiedelt" in geneva.text
    assert "Standards Policy and Development" in geneva.text  # the postings are named
    january = ask("Welche Ausschreibungen wurden im Januar veröffentlicht?")
    assert "vulnerable work" in january.text and "Due Diligence" in january.text
    assert "Standards Policy" not in january.text  # issued in May
    bachelor = ask("Bei welchen Stellen genügt ein Bachelor?")
    assert "ersten Hochschulabschluss akzeptieren" in bachelor.text
    assert "creative sectors" in bachelor.text


def test_german_follow_up(indexed_services) -> None:
    first = indexed_services.answers.answer("Wo ist der Dienstort der NORMES-Stelle?", "de-fu")
    assert "Geneva" in first.text
    then = indexed_services.answers.answer("und wer ist dort Vorgesetzter?", "de-fu")
    assert "Lisa Tortell" in then.text


def test_german_comparison(ask) -> None:
    a = ask("Vergleiche die Stelle zu künstlicher Intelligenz und die Sorgfaltspflicht-Stelle")
    assert a.intent == "compare" and a.posting_ids == [AI, MULTI]
    assert "Dienstort" in a.text and "Besoldungsgruppe" in a.text
    with_profile = ask("Ich habe einen Master in Jura und 3 Jahre Erfahrung in der Forschung, "
                       "Englisch fließend. Vergleiche NORMES mit SECTOR")
    assert with_profile.posting_ids == [NORMES, SECTOR]
    assert "Mit Ihrem Profil" in with_profile.text
