"""Conversations: a follow-up asks the previous question again, about another posting or with
the profile corrected, in English, French and Spanish."""

from __future__ import annotations

import uuid

import pytest

from tests.support.corpus_ids import AI, MULTI, NORMES, SECTOR


@pytest.fixture
def talk(indexed_services):
    def run(*messages: str):
        conversation = f"test-{uuid.uuid4().hex}"
        answers = [indexed_services.answers.answer(m, conversation) for m in messages]
        return answers[-1]
    return run


PROFILE = ("I have a bachelor's in economics and 3 years at an NGO advocating for domestic "
           "workers' rights; native English speaker. Am I eligible for the vulnerable work JPO?")


@pytest.mark.parametrize("switch", [
    "what about the NORMES one?",
    "sorry, I meant the standards one in NORMES",
    "et pour le poste NORMES ?",
    "¿y el de NORMES?",
])
def test_switching_posting_rechecks_the_same_profile(talk, switch: str) -> None:
    a = talk(PROFILE, switch)
    assert a.intent == "eligibility" and a.posting_ids == [NORMES]
    assert "law" in a.text.lower()


def test_a_profile_correction_rechecks_the_same_posting(talk) -> None:
    a = talk("MSc in data science and three years at a public employment service building "
             "labour market dashboards. Am I eligible for the AI JPO?",
             "hmm, I should mention my English is only B1, Spanish is my native language")
    assert a.intent == "eligibility" and a.posting_ids == [AI]
    assert "not" in a.text.lower() and "English" in a.text


def test_work_remembered_later_is_added_to_the_profile(talk) -> None:
    """The second message uses words of other postings' bodies ("labour market statistics");
    it names none of them: it adds two years to the profile the verdict used."""
    a = talk("i have a masters in economics (finished 2024), bachelor econ 2020, 1 year as "
             "research assistant at an employment think tank (2024-2025). english native. can "
             "i apply for the innovation + AI job?",
             "wait i forgot, after my bachelor i also worked at the ministry of labour from "
             "sept 2020 to aug 2022 on labour market statistics")
    assert a.intent == "eligibility" and a.posting_ids == [AI]
    assert "not eligible" not in a.text.lower() and "(eligible)" in a.text


def test_a_correction_asking_about_the_verdict_rechecks(talk) -> None:
    a = talk("BA economics 2022. from jan 2023 to march 2025 i was a policy researcher at a video "
             "game industry association, on working conditions of game developers. my english is "
             "ok, spanish native. can i apply for the creative sectors + digital economy job?",
             "to be honest my english is more like B1, is that a problem? spanish is my mother "
             "tongue")
    assert a.intent == "eligibility" and a.posting_ids == [SECTOR]
    assert "Spanish" in a.text


def test_a_correction_asking_for_a_field_gets_the_field(talk) -> None:
    a = talk("I have a master's in law and 3 years in labour law, fluent English. Am I eligible "
             "for the NORMES job?", "my english is B1, which languages does it need?")
    assert a.intent == "languages" and a.posting_ids == [NORMES]


def test_a_field_question_carries_over_to_the_posting_named_next(talk) -> None:
    a = talk("Who supervises the NORMES post?", "and for the due diligence one?")
    assert "Roelans" in a.text and a.posting_ids == [MULTI]


def test_a_new_question_is_not_taken_for_a_follow_up(talk) -> None:
    a = talk(PROFILE, "what languages does the NORMES post require?")
    assert a.intent == "languages" and a.posting_ids == [NORMES]


def test_a_correction_replaces_what_it_corrects(talk) -> None:
    """"5 years (2017-2022)", then "it was 3 years, from 2019 to 2022": three years, not eight
    (nor sixteen, as the restated range and duration once added up)."""
    a = talk("Am I eligible for the creative sectors JPO? BA in economics, then 5 years on the "
             "public policy team of a music streaming platform (2017-2022).",
             "sorry, I got that wrong: it was 3 years, from 2019 to 2022 — before that I was "
             "still studying. English native.")
    assert a.intent == "eligibility" and a.posting_ids == [SECTOR]
    assert "not eligible" not in a.text.lower() and "3 years is within" in a.text


def test_all_parts_of_a_question_carry_over(talk) -> None:
    a = talk("Which posting is about domestic workers?", "what's its grade and duration?",
             "and the same for the NORMES one?")
    assert a.posting_ids == [NORMES] and "P2" in a.text and "12 months" in a.text


@pytest.mark.parametrize("ask", [
    "Is the creative economy JPO open to me?",
    "Could I be a candidate for the creative sectors JPO?",
    "Could I get the creative economy job?",
])
def test_a_self_description_makes_any_question_an_eligibility_check(talk, ask: str) -> None:
    """The description's "7 years" and "English" are no questions about duration or
    languages, and no claims about the post to correct."""
    a = talk("I did an MA in economics and I've been working on music industry policy ever "
             f"since 2015: 7 years at a collecting society and then 2 years at the culture "
             f"ministry. English native. {ask}")
    assert a.intent == "eligibility" and a.posting_ids == [SECTOR]
    assert "not eligible" in a.text.lower() and "you have 9" in a.text


@pytest.mark.parametrize("story", [
    ("I have an MSc in economics (2022)",
     "since then, from Sept 2022, I've worked on responsible supply chains and due diligence "
     "at an NGO",
     "English is my native language",
     "am I eligible for the due diligence JPO?"),
    ("j'ai un master en économie (2022)",
     "depuis septembre 2022 je travaille sur le devoir de vigilance dans une ONG",
     "je parle anglais couramment",
     "suis-je éligible pour le poste due diligence ?"),
])
def test_a_profile_told_over_several_messages_is_checked_whole(talk, story) -> None:
    """Each part of the story is noted (not answered as a question about the postings), and
    the question that follows is checked against all of it."""
    noted = talk(*story[:1])
    assert noted.intent == "profile_noted" and not noted.citations
    a = talk(*story)
    assert a.intent == "eligibility" and a.posting_ids == [MULTI]
    assert a.text.splitlines()[0].endswith(("(eligible).", "(éligible)."))


def test_a_question_is_never_taken_for_a_story(talk) -> None:
    assert talk("I speak French", "who supervises the AI post?").intent == "supervisor"


@pytest.mark.parametrize("message", [
    "what do i need for the AI post? i have a master's",
    "do i need a phd for post 2396 or is a masters in law enough",  # no "?", alternatives
    "due diligence jpo: who supervises it and wat degree do i need",
    "the responsible business jpo is 2 yrs i think",  # a claim about a posting
    "i have 6 yrs of work experience, too much for the vulnerable work post",
])
def test_a_message_about_a_posting_is_no_story(talk, message: str) -> None:
    assert talk(message).intent != "profile_noted"


def test_what_about_the_one_named_asks_the_same_field(talk) -> None:
    """"what about the one about domestic workers?" names the posting the previous question
    is asked again for; its "about" asks for no summary."""
    a = talk("Who supervises the NORMES post?", "what about the one about domestic workers?")
    assert a.intent == "supervisor" and "Hobden" in a.text


@pytest.mark.parametrize(("ask", "asked"), [
    ("can i apply to the AI job?", [AI]),
    ("est-ce que je suis éligible pour le poste NORMES ?", [NORMES]),
])
def test_an_eligibility_question_without_a_profile_asks_for_one(talk, ask: str,
                                                                asked: list[str]) -> None:
    """Nothing told yet: what the posting requires, and what to tell for a verdict; the
    reply is checked against the same posting."""
    a = talk(ask)
    assert a.intent == "profile_wanted" and a.found and a.posting_ids == asked
    assert "Education" in a.text and ("degree" in a.text or "diplôme" in a.text)
    verdict = talk(ask, "master in economics, 3 years in labour market research, fluent english")
    assert verdict.intent == "eligibility" and verdict.posting_ids == asked


def test_which_postings_without_a_profile_asks_for_one_then_ranks(talk) -> None:
    assert talk("which postings can i apply to?").intent == "profile_wanted"
    ranked = talk("which postings can i apply to?",
                  "LLM in labour law, 2 years at a law firm, english and french")
    assert ranked.intent == "eligibility" and len(ranked.posting_ids) > 1


@pytest.mark.parametrize("message", ["how can i apply to the AI job?",
                                     "how often do i meet oliver"])
def test_other_questions_with_apply_or_meet_ask_for_no_profile(talk, message: str) -> None:
    assert talk(message).intent != "profile_wanted"


def test_a_whole_self_description_is_noted_and_kept_across_verdicts(talk) -> None:
    """A complete description with no question is noted (not answered as a question about
    the postings its words happen to match); each verdict after it uses it, and so does an
    eligibility question about the next posting."""
    story = ("hey so i have a master in economics, 5 years of labour market research at a "
             "think tank, fluent english")
    assert talk(story).intent == "profile_noted"
    ai = talk(story, "am i eligible for the AI job?")
    assert ai.intent == "eligibility" and ai.posting_ids == [AI]
    a = talk(story, "am i eligible for the AI job?", "am i eligible for the normes one?")
    assert a.intent == "eligibility" and a.posting_ids == [NORMES]


def test_a_correction_naming_a_topic_names_that_posting(talk) -> None:
    """"the one about domestic workers": the words after "the one about" name the posting."""
    a = talk("tell me about the standards policy posting",
             "sorry i meant the one about domestic workers. who supervises that?")
    assert a.intent == "supervisor" and "Hobden" in a.text


def test_the_asking_clause_names_the_posting_not_the_story(talk) -> None:
    """The candidate's work ("AI + streaming royalties") uses another posting's words; the
    question names the posting."""
    a = talk("BA media studies & economics (2021). since jan 2024: policy officer at a musicians' "
             "union, AI + streaming royalties. english C2. am i eligible for the creative "
             "sectors & digital economy jpo?")
    assert a.intent == "eligibility" and a.posting_ids == [SECTOR]


def test_postings_listed_in_the_question_each_get_a_verdict(talk) -> None:
    a = talk("LLB 2019, LLM international human rights law 2020, since jan 2022 at a trade union "
             "working on mandatory due diligence law. spanish native, english C1. between the "
             "standards one, the due diligence one and the creative sectors one, which can i "
             "apply to?")
    assert a.intent == "eligibility" and sorted(a.posting_ids) == sorted([NORMES, MULTI, SECTOR])
    assert "yours is in international human rights" not in a.text  # an LLM is in law


def test_a_post_open_to_me_asks_for_a_verdict(talk) -> None:
    a = talk("BSc (Hons) Economics 2018, no masters. 2020–now senior researcher at a think tank "
             "on automation. english native. is the ai/innovation jpo (DDG office) open to me?")
    assert a.intent == "eligibility" and a.posting_ids == [AI]
    assert "Not eligible" in a.text


def test_a_cefr_level_is_shown_as_the_candidate_gave_it(talk) -> None:
    a = talk("master en économie (2020), 3 ans au BIT sur l'emploi des jeunes (2021-2024). "
             "français natif, anglais niveau A2. je peux candidater au JPO intelligence "
             "artificielle ?")
    assert a.intent == "eligibility" and "anglais (A2)" in a.text


def test_a_posting_named_by_its_supervisor_after_a_verdict_is_checked_too(talk) -> None:
    """"what about the one supervised by Oliver Liang?" names a posting by a field; it asks for
    no supervisor (it got the supervisor before)."""
    a = talk("BSc Economics 2020, MSc Economics 2022. since 06/2024 research assistant on "
             "platform workers' conditions. English C2. can I apply to the due diligence JPO?",
             "ah ok. what about the one supervised by Oliver Liang?")
    assert a.intent == "eligibility" and a.posting_ids == [SECTOR]


def test_a_forgotten_job_told_after_a_verdict_is_added(talk) -> None:
    """21 months at the ministry, then a forgotten 12-month contract: 33 months, eligible."""
    a = talk("LLB 2022, LLM public international law 2023. since 03/2025 legal officer in the "
             "international law department of a foreign ministry. English C2. can I apply "
             "for the NORMES standards JPO?",
             "sorry I forgot: before the ministry I had a full-time 12-month contract "
             "(01/2024–12/2024) as legal assistant on international labour standards at a "
             "trade union federation. does that change it?")
    assert a.intent == "eligibility" and a.posting_ids == [NORMES]
    assert "not eligible" not in a.text.lower()


def test_a_redated_job_keeps_the_posting_asked_before(talk) -> None:
    """"I wasn't working before Sept 2023" names no posting by its word "working"."""
    a = talk("Bachelor in law (2020). I've been at a music rights collecting society since 2021 "
             "as legal officer. English & Spanish fluent. could I apply for the creative "
             "sectors JPO?",
             "oh wait, sorry — I only started there in Sept 2023. 2021 was when I started job "
             "hunting, I wasn't working before Sept 2023")
    assert a.intent == "eligibility" and a.posting_ids == [SECTOR]


def test_asking_whether_ones_experience_is_enough_asks_for_a_verdict(talk) -> None:
    a = talk("BA Economics 2021, 3 years as analyst. do I have enough experience for the AI JPO?")
    assert a.intent == "eligibility" and a.posting_ids == [AI]


def test_a_timeline_asks_about_the_posting_it_names_first(talk) -> None:
    """The asking clause ("… 4+ years of work in total, so I'm fine right?") says "work", which
    two titles use; the posting is the one the message named as one ("the AI/innovation
    post")."""
    a = talk("Quick check for the AI/innovation post with the DDG. Timeline:\n"
             "- Sept 2017 – Aug 2021: assistant at a youth employment NGO\n"
             "- BA Economics awarded June 2020\n"
             "- Sept 2021 – Sept 2022: MSc Economics, LSE\n"
             "- Oct 2022 – Aug 2026: caring for my father, no job\n"
             "- since Sept 2026: junior economist, employment ministry\n"
             "English C2. That's 4+ years of work in total, so I'm fine right?")
    assert a.intent == "eligibility" and a.posting_ids == [AI]
    assert a.text.startswith("Not eligible")  # 17 months after the first degree, not 4 years
