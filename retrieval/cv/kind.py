"""Is an uploaded document a CV or a vacancy announcement? Decided by content, never by name.

A posting has posting sections: duties, a supervisor, a duty station, competencies, learning
elements, an organisational context (read by the posting parser). A CV has CV sections
(education, experience, languages) with dated entries and degrees. Both mention education,
experience and languages, so those prove nothing alone; when both kinds of evidence are weak
or both strong (a posting with dated entries, a CV with a duty station), the answer is
"unsure" and the bot asks.
"""

from __future__ import annotations

from typing import Literal

from retrieval.cv.reader import CvReading
from retrieval.models import Posting

DocumentKind = Literal["cv", "posting", "unsure"]


def posting_evidence(posting: Posting) -> int:
    """How many sections only a vacancy announcement has."""
    return sum([
        bool(posting.duties or posting.key_outputs),
        posting.supervisor.describe() != "",
        bool(posting.duty_station),
        bool(posting.competencies),
        bool(posting.learning or posting.training),
        bool(posting.introduction or posting.background),
        bool(posting.duration or posting.grade),
    ])


def cv_evidence(reading: CvReading) -> int:
    """CV sections found, plus dated entries and degrees (at most 2 points each)."""
    sections = len([s for s in reading.sections if s in ("education", "experience",
                                                         "internships", "languages")])
    return sections + min(reading.dated_entries, 2) + min(reading.degrees, 2)


def document_kind(reading: CvReading, posting: Posting) -> DocumentKind:
    """The corpus postings score 6-7 posting points and no dated entry; the test CVs 0-1
    posting points and 7-8 CV points (tests/retrieval/cv)."""
    cv, job = cv_evidence(reading), posting_evidence(posting)
    if reading.dated_entries and cv >= 4 and job <= 2:
        return "cv"
    if job >= 3 and not reading.dated_entries:
        return "posting"
    if cv <= 2 and job <= 2:
        return "posting"  # neither: the posting checks refuse it with their reason
    return "unsure"
