"""Typed records shared by every part of the product: postings, answers, profiles."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Supervisor(BaseModel):
    name: str = ""
    role: str = ""
    email: str = ""
    raw: str = ""

    def describe(self) -> str:
        """The supervisor as one line: name, role (e-mail)."""
        parts = [p for p in (self.name, self.role) if p]
        text = ", ".join(parts) if parts else self.raw
        if self.email:
            text = f"{text} ({self.email})" if text else self.email
        return text


class RequirementBlock(BaseModel):
    """One qualification heading with its minimum and desirable parts kept apart."""

    minimum: str = ""
    desirable: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.minimum or self.desirable)


class Posting(BaseModel):
    id: str
    source: str = ""
    title: str = ""
    organisation: str = ""  # short name: ILO, UNEP, UNHCR, UN Secretariat…
    post_number: str = ""
    month_of_issue: str = ""
    year_of_issue: str = ""
    duty_station: str = ""
    duration: str = ""
    grade: str = ""
    department: str = ""
    unit: str = ""
    supervisor: Supervisor = Field(default_factory=Supervisor)
    supervision_method: str = ""
    introduction: str = ""
    duties: list[str] = Field(default_factory=list)
    duties_context: str = ""
    # the line that introduces the key outputs ("the JPO will contribute to the following key
    # outputs:"): what they are outputs *of*, for questions that ask it that way
    key_outputs_context: str = ""
    key_outputs: list[str] = Field(default_factory=list)
    education: RequirementBlock = Field(default_factory=RequirementBlock)
    experience: RequirementBlock = Field(default_factory=RequirementBlock)
    skills: RequirementBlock = Field(default_factory=RequirementBlock)
    languages: RequirementBlock = Field(default_factory=RequirementBlock)
    competencies: list[str] = Field(default_factory=list)
    training: str = ""
    learning: list[str] = Field(default_factory=list)
    background: str = ""
    notes: str = ""
    acronyms: dict[str, str] = Field(default_factory=dict)
    text: str = ""
    content_hash: str = ""

    @property
    def issued(self) -> str:
        return " ".join(p for p in (self.month_of_issue, self.year_of_issue) if p)

    @property
    def short_title(self) -> str:
        """Title without the 'Junior Professional Officer in/on' preamble."""
        from retrieval.parsing import short_title

        return short_title(self.title)

    @property
    def duration_months(self) -> int | None:
        from retrieval.parsing import duration_in_months

        return duration_in_months(self.duration)

    def field_report(self) -> tuple[list[str], list[str]]:
        """(found, missing): the key fields an admin checks after an upload or a reindex."""
        checks = [
            ("title", bool(self.title)), ("organisation", bool(self.organisation)),
            ("duty station", bool(self.duty_station)), ("grade", bool(self.grade)),
            ("duration", bool(self.duration)), ("supervisor", bool(self.supervisor.describe())),
            ("duties", bool(self.duties or self.duties_context)),
            ("education", not self.education.is_empty),
            ("experience", not self.experience.is_empty),
            ("languages", not self.languages.is_empty),
        ]
        return [n for n, ok in checks if ok], [n for n, ok in checks if not ok]

    def field_count(self) -> int:
        """How many structured fields were recognised (used to reject non-postings)."""
        scalars = [
            self.title, self.duty_station, self.duration, self.department, self.unit,
            self.introduction, self.training, self.background,
        ]
        lists = [self.duties, self.key_outputs, self.competencies, self.learning]
        blocks = [self.education, self.experience, self.skills, self.languages]
        return (
            sum(bool(s) for s in scalars)
            + sum(bool(items) for items in lists)
            + sum(not b.is_empty for b in blocks)
            + (self.supervisor.describe() != "")
        )


class Citation(BaseModel):
    posting_id: str
    title: str
    section: str
    excerpt: str = ""

    @property
    def label(self) -> str:
        return f"{self.title} — {self.section}"


class AnswerMode(StrEnum):
    EXTRACTIVE = "extractive"
    LLM = "llm"
    FALLBACK = "fallback"
    ELIGIBILITY = "eligibility"


class Answer(BaseModel):
    text: str
    found: bool = True
    citations: list[Citation] = Field(default_factory=list)
    intent: str = "general"
    # Every field a multi-part answer gave, in order ("grade and duration?"), so that "and the
    # same for the NORMES one?" asks all of them again; empty when only `intent`.
    intents: list[str] = Field(default_factory=list)
    posting_ids: list[str] = Field(default_factory=list)
    mode: AnswerMode = AnswerMode.EXTRACTIVE
    note: str = ""
    # For an eligibility answer: the self-description it was checked against, so that a
    # follow-up ("what about the NORMES one?", "actually it's 5 years") re-checks that profile.
    profile_basis: str = ""

    def cited_posting_ids(self) -> list[str]:
        seen: list[str] = []
        for c in self.citations:
            if c.posting_id not in seen:
                seen.append(c.posting_id)
        return seen


# ---- eligibility ------------------------------------------------------------------------------

class Requirement(BaseModel):
    """One requirement of a posting, read from one sentence of its qualification blocks."""

    kind: Literal["education", "experience", "language", "skill", "nationality", "age"]
    level: Literal["minimum", "desirable"]
    source_text: str
    # education
    degree_level: Literal["first", "advanced"] | None = None
    fields: list[str] = Field(default_factory=list)
    related_fields_ok: bool = False
    preferred_focus: list[str] = Field(default_factory=list)
    # a first degree plus this many extra years of experience replaces the advanced degree
    alt_first_degree_extra_years: float | None = None
    # experience
    min_years: float | None = None
    max_years: float | None = None
    domain: str = ""
    # language: ISO 639-1 codes; "one_of" needs 1 + `additional` of them, "all_of" needs all
    languages: list[str] = Field(default_factory=list)
    mode: Literal["one_of", "all_of"] | None = None
    additional: int = 0
    proficiency: Literal["basic", "good", "fluent"] | None = None
    # experience: from when the posting counts it ("after obtaining the first university
    # degree"); None when the posting does not say, and then all stated experience counts
    counted_from: Literal["first_degree"] | None = None
    counting_text: str = ""  # the posting's sentence stating that rule, verbatim
    # nationality: the countries whose nationals may apply; age: the oldest age accepted
    nationalities: list[str] = Field(default_factory=list)
    max_age: int | None = None
    # skill
    text: str = ""
    note: str = ""


class ExperiencePeriod(BaseModel):
    """One stretch of work the candidate told about ("from Feb 2023 to Nov 2024", "9 months")."""

    years: float
    # relative to the candidate's first university degree, when the text or its dates say
    timing: Literal["before_first_degree", "after_first_degree", "unstated"] = "unstated"
    text: str = ""  # the words it was read from (folded)
    # the rest of the clause it was told in ("paralegal in tax law"), folded: what the work was
    context: str = ""


class Profile(BaseModel):
    """What a candidate says about themselves; empty/None means "not stated", never "none"."""

    degree_level: Literal["first", "advanced"] | None = None  # highest degree obtained
    has_degree: bool = False
    no_degree: bool = False  # the candidate said they have no university degree
    degree_in_progress: Literal["first", "advanced"] | None = None  # "currently doing my MSc"
    degree_field: str = ""
    degree_focus: str = ""
    other_degree_fields: list[str] = Field(default_factory=list)  # the fields of other degrees
    years_experience: float | None = None  # all stated experience
    # the part of it gained before the first university degree (postings that count only
    # experience after that degree leave it out)
    years_before_first_degree: float = 0.0
    experience_periods: list[ExperiencePeriod] = Field(default_factory=list)
    experience_domain: str = ""
    # areas the candidate says they have no experience in ("never did any CSR or due diligence")
    no_experience_in: list[str] = Field(default_factory=list)
    experience_relevant: bool = False  # the candidate called their experience "relevant"
    languages: dict[str, str] = Field(default_factory=dict)
    # the CEFR level a language was given in ("english A2"), shown back as the candidate said it
    language_cefr: dict[str, str] = Field(default_factory=dict)
    nationality: str = ""
    age: int | None = None
    skills: list[str] = Field(default_factory=list)

    def has_facts(self) -> bool:
        return bool(
            self.degree_level or self.has_degree or self.no_degree or self.degree_field
            or self.years_experience is not None or self.languages or self.nationality
            or self.age is not None or self.skills
        )


class RequirementCheck(BaseModel):
    requirement: Requirement
    met: bool | None
    reason: str
    decisive: str = ""  # only the parts of the reason that decide `met` (for one-line summaries)
    strength: int = 0  # 2 explicit match, 1 assumed/related match, 0 otherwise (ranking only)


class Verdict(BaseModel):
    posting_id: str
    status: Literal["eligible", "not_eligible", "cannot_tell"]
    checks: list[RequirementCheck] = Field(default_factory=list)
    failed: list[RequirementCheck] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    desirable_met: int = 0
    desirable_total: int = 0
    score: float = 0.0
    # for "cannot_tell": the one question whose answer would decide it, in the asked language
    follow_up_question: str = ""

    @property
    def minimum_checks(self) -> list[RequirementCheck]:
        return [c for c in self.checks if c.requirement.level == "minimum"]
