"""CVs (résumés) read into candidate profiles: `read_cv`, and whether an uploaded document is a
CV or a posting (`document_kind`). Section headings and entry words live in
`retrieval/lexicon/cv.yaml`; degrees, fields and languages are read by `retrieval.eligibility`'s
own parser, so a CV and a typed profile are understood alike."""

from retrieval.cv.kind import DocumentKind, document_kind
from retrieval.cv.reader import CvReading, read_cv
from retrieval.cv.service import CvCheck, CvReader, CvRejected, corrected

__all__ = ["CvCheck", "CvReader", "CvReading", "CvRejected", "DocumentKind", "corrected",
           "document_kind", "read_cv"]
