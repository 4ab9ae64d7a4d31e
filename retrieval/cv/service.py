"""`CvReader`: an uploaded file read as a CV, and told from a posting. Built once in the
composition root (`retrieval/services.py`); the bot hands it downloaded files.

The file is read by the loaders admin uploads use (`retrieval/loaders.py`: text, PDF, DOCX,
the same size limit) and parsed by the posting parser too, so the CV-or-posting decision
(`retrieval/cv/kind.py`) weighs what each reader recognised. The CV's text lives only in this
call: the result holds the profile and counts, never the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.cv.kind import DocumentKind, document_kind, posting_evidence
from retrieval.cv.reader import CvReading, read_cv
from retrieval.eligibility.profile import parse_profile
from retrieval.loaders import LoadError, read_text
from retrieval.models import Profile

if TYPE_CHECKING:
    from retrieval.parsing import PostingParser
    from retrieval.settings import Settings


class CvRejected(LoadError):
    """A file that cannot be read as a CV; the message names the file and says why."""


@dataclass(frozen=True)
class CvCheck:
    kind: DocumentKind  # "cv", "posting" or "unsure"
    reading: CvReading
    looks_like_posting: bool  # several sections only a vacancy announcement has

    @property
    def has_profile(self) -> bool:
        return self.reading.profile.has_facts()


class CvReader:
    def __init__(self, settings: Settings, parser: PostingParser,
                 today: Callable[[], date] = date.today) -> None:
        self.settings = settings
        self.parser = parser
        self.today = today

    def examine(self, path: Path, display_name: str) -> CvCheck:
        """Read an uploaded file; CvRejected when it is unreadable, empty or too large."""
        try:
            text = read_text(path, max_bytes=self.settings.max_upload_bytes)
        except LoadError as exc:
            message = str(exc)
            if message.startswith(f"{path.name}:"):  # the name the user knows, not ours
                message = display_name + message[len(path.name):]
            raise CvRejected(message, exc.reason) from exc
        reading = read_cv(text, self.today())
        posting = self.parser.parse(text, posting_id="upload")
        return CvCheck(document_kind(reading, posting), reading,
                       posting_evidence(posting) >= 3)

    def correction(self, text: str) -> Profile:
        """A correction typed under a CV's profile, read by the free-text profile parser."""
        return parse_profile(text, self.today())


def corrected(profile: Profile, correction: Profile) -> Profile:
    """`profile` with what `correction` states put in its place; what it does not state
    stays as the CV said."""
    update: dict[str, object] = {}
    if correction.degree_level or correction.no_degree or correction.degree_in_progress:
        update.update(degree_level=correction.degree_level, has_degree=correction.has_degree,
                      no_degree=correction.no_degree,
                      degree_in_progress=correction.degree_in_progress)
    if correction.degree_field:
        update.update(degree_field=correction.degree_field,
                      degree_focus=correction.degree_focus)
    if correction.years_experience is not None:
        update.update(years_experience=correction.years_experience,
                      years_before_first_degree=correction.years_before_first_degree,
                      experience_periods=correction.experience_periods)
    if correction.experience_domain:
        update.update(experience_domain=correction.experience_domain,
                      experience_relevant=correction.experience_relevant)
    if correction.languages:
        update["languages"] = {**profile.languages, **correction.languages}
    for name in ("nationality", "age"):
        if getattr(correction, name):
            update[name] = getattr(correction, name)
    if correction.skills:
        update["skills"] = list(dict.fromkeys([*profile.skills, *correction.skills]))
    return profile.model_copy(update=update)
