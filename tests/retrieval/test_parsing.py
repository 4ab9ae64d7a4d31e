"""The parser reads every layout into the same structured fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.loaders import LoadError, read_text
from retrieval.parsing import PostingParser, duration_in_months, extract_acronyms, split_sentences
from retrieval.parsing.prose import prose_sentences
from retrieval.parsing.values import _parse_supervisor
from tests.conftest import CORPUS, EXTRA_POSTINGS

parser = PostingParser()


def parse(path: Path):
    return parser.parse(read_text(path), path.stem, path.name)


@pytest.fixture(scope="module")
def seeds():
    return {p.stem[:3]: parse(p) for p in sorted(CORPUS.glob("*.txt"))}


def test_titles_and_header_fields(seeds) -> None:
    assert seeds["000"].title == (
        "Junior Professional Officer on innovation and artificial intelligence (AI)")
    assert seeds["000"].post_number == "2025-1-10"
    assert seeds["001"].post_number == "2357"
    assert (seeds["001"].month_of_issue, seeds["001"].year_of_issue) == ("September", "2024")
    assert (seeds["002"].month_of_issue, seeds["002"].year_of_issue) == ("May", "2024")
    assert (seeds["003"].month_of_issue, seeds["003"].year_of_issue) == ("January", "2024")
    assert (seeds["004"].month_of_issue, seeds["004"].year_of_issue) == ("January", "2025")
    assert seeds["004"].post_number == "2144"
    assert seeds["000"].issued == ""  # the chiffre posting gives no month: nothing is invented


def test_general_information(seeds) -> None:
    for p in seeds.values():
        assert p.duty_station == "Geneva, Switzerland"
    assert seeds["000"].grade == ""  # absent in the posting, never invented
    assert {k: p.grade for k, p in seeds.items() if k != "000"} == {
        "001": "P2", "002": "P2", "003": "P2", "004": "P2"}
    assert seeds["000"].duration.startswith("2 years with possibility of extension")
    assert seeds["000"].duration_months == 24
    assert seeds["002"].duration == "12 months, renewable"
    assert seeds["003"].department == "Conditions of Work and Equality Department (WORKQUALITY)"
    assert seeds["003"].unit == (
        "Inclusive Labour Markets, Labour Relations and Working Conditions Branch (INWORK)")
    assert seeds["004"].department == "ENTERPRISES"
    assert seeds["000"].department == "Deputy Director-General"
    assert seeds["000"].unit == "DDG"
    assert seeds["001"].unit == "Public and Private Services Team (SERVICES)"


@pytest.mark.parametrize("key,name,role,email", [
    ("000", "", "Adviser to the Deputy Director-General", ""),
    ("001", "Oliver Liang", "Head, Public and Private Services Unit", "liang@ilo.org"),
    ("002", "Lisa Tortell", "Legal Specialist, Standards Policy and Development Section",
     "tortell@ilo.org"),
    ("003", "Claire Hobden", "technical officer on vulnerable workers", "hobden@ilo.org"),
    ("004", "Githa Roelans", "Head of Unit, MULTI", "roelans@ilo.org"),
])
def test_supervisors(seeds, key: str, name: str, role: str, email: str) -> None:
    s = seeds[key].supervisor
    assert (s.name, s.role, s.email) == (name, role, email)


def test_lists(seeds) -> None:
    assert [len(seeds[k].duties) for k in sorted(seeds)] == [7, 8, 6, 9, 8]
    assert [len(seeds[k].key_outputs) for k in sorted(seeds)] == [2, 5, 2, 3, 2]
    assert seeds["000"].key_outputs[1] == (
        "Establishment, implementation and coordination of the ILO Innovation Strategy.")
    assert not any(d.endswith("*") for p in seeds.values() for d in p.duties)
    assert seeds["001"].competencies[0].startswith("Sensitivity to diversity")
    assert len(seeds["001"].competencies) == 3
    assert all(len(p.competencies) == 3 for p in seeds.values())
    assert [len(seeds[k].learning) for k in sorted(seeds)] == [8, 6, 5, 3, 6]
    assert "MNE Declaration" in seeds["004"].learning[0]


def test_minimum_and_desirable_kept_apart(seeds) -> None:
    assert seeds["002"].education.minimum.startswith("Advanced university degree in Law")
    assert seeds["002"].education.desirable == (
        "University degree or diploma in the area of communications.")
    assert seeds["001"].education.desirable.startswith("An advanced university degree")
    assert "copyright laws" in seeds["001"].education.desirable
    assert seeds["003"].experience.minimum == (
        "Relevant work experience of 2 to a maximum of 4 years either at national or "
        "international level.")
    assert seeds["000"].languages.minimum == "Excellent command of one working language of English."
    assert seeds["000"].languages.desirable == "Good knowledge of either French or Spanish."
    assert seeds["003"].languages.minimum == "Excellent command of English or French."
    assert "Excel" in seeds["003"].skills.minimum
    # No Minimum/Desirable labels: the whole block is the minimum.
    assert seeds["004"].education.desirable == ""
    assert seeds["004"].experience.minimum.startswith("At least two years of practical experience")
    assert seeds["004"].skills.minimum.count("- ") == 4


def test_sections_text(seeds) -> None:
    assert seeds["002"].introduction.startswith("The position is located within the International")
    assert "SRM TWG" in seeds["002"].introduction
    assert "UNESCO" in seeds["001"].background
    assert seeds["004"].training.startswith("Through the work the JPO will get trained")
    assert "ILO Observatory" in seeds["000"].supervision_method


def test_acronyms(seeds) -> None:
    assert seeds["000"].acronyms["AI"] == "artificial intelligence"
    assert seeds["000"].acronyms["DDG"] == "Deputy Director-General"
    assert seeds["002"].acronyms["NORMES"] == "International Labour Standards Department"
    assert seeds["003"].acronyms["INWORK"].startswith("Inclusive Labour Markets")
    assert "MULTI" in seeds["004"].acronyms
    assert extract_acronyms("the Standards Review Mechanism Tripartite Working Group (SRM TWG)")[
        "SRMTWG"] == "Standards Review Mechanism Tripartite Working Group"


def test_markdown_table_and_bullet_fields() -> None:
    p = parse(EXTRA_POSTINGS / "field_office_bangkok.md")
    assert p.title == "Junior Professional Officer in Labour Migration Governance"
    assert (p.post_number, p.month_of_issue, p.year_of_issue) == ("3101", "March", "2025")
    assert (p.duty_station, p.duration, p.grade) == ("Bangkok, Thailand", "24 months", "P1")
    assert p.department == "Regional Office for Asia and the Pacific (ROAP)"
    assert p.supervisor.name == "Dr. Ana Pérez-Soto"
    assert p.supervisor.email == "perez-soto@ilo.org"
    assert p.duties[0] == (
        "Support research on fair recruitment corridors between South Asia and the Gulf;")
    assert p.key_outputs == ["Two corridor studies on recruitment fees.",
                             "A regional workshop report."]
    assert p.education.desirable == "Specialisation in migration studies."
    assert p.experience.minimum.startswith("A minimum of three (3) years")
    assert p.languages.desirable.startswith("Knowledge of Thai")
    assert p.competencies == ["Integrity and transparency", "Teamwork"]


def test_plain_capitals_with_roman_numerals() -> None:
    p = parse(EXTRA_POSTINGS / "plain_caps_youth.txt")
    assert p.title == "Junior Professional Officer on youth employment"
    assert (p.post_number, p.month_of_issue, p.year_of_issue) == ("4455", "June", "2025")
    assert p.duty_station == "Dakar, Senegal"
    assert p.duration_months == 12
    assert p.supervisor.name == "Moussa Diallo" and p.supervisor.email == "diallo@ilo.org"
    assert len(p.duties) == 3
    assert p.education.minimum == "First university degree in economics or statistics."
    assert p.education.desirable == "Master's degree in development economics."
    assert p.languages.minimum == "Excellent command of French and working knowledge of English."
    assert p.grade == ""


def test_italic_markdown_and_inline_asset_sentence() -> None:
    p = parse(EXTRA_POSTINGS / "italic_markdown_green.md")
    assert p.title == "Junior Professional Officer in just transition and green jobs"
    assert p.supervisor.name == "Kees van der Ree"
    assert p.supervisor.role == "Coordinator, Green Jobs Programme"
    assert p.key_outputs == ["A policy brief on green jobs in construction"]
    assert p.languages.minimum == "Excellent command of English."
    assert p.languages.desirable == "Working knowledge of Spanish would be an asset."
    assert p.learning == ["Gain knowledge of just transition policies",
                          "Learn how to run a green jobs assessment"]


def test_docx_and_pdf_inputs(tmp_path: Path) -> None:
    import docx
    from fpdf import FPDF

    source = (EXTRA_POSTINGS / "plain_caps_youth.txt").read_text()
    document = docx.Document()
    for line in source.splitlines():
        if line.isupper() and line.strip():
            document.add_heading(line.title(), level=2)
        else:
            document.add_paragraph(line)
    document.save(tmp_path / "youth.docx")
    p = parse(tmp_path / "youth.docx")
    assert p.supervisor.name == "Moussa Diallo"
    assert p.education.desirable == "Master's degree in development economics."

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in source.replace("•", "-").splitlines():
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "youth.pdf"))
    p = parse(tmp_path / "youth.pdf")
    assert p.duty_station == "Dakar, Senegal"
    assert p.languages.minimum.startswith("Excellent command of French")


@pytest.mark.parametrize("name,content,message", [
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
    ("broken.docx", b"PK\x03\x04 not a zip", "not a readable DOCX"),
    ("binary.txt", b"\x00\x01\x02\x03" * 100, "binary"),
    ("empty.md", b"   \n\n", "no text"),
    ("notes.rtf", b"{\\rtf1}", "unsupported file type"),
])
def test_unreadable_files_are_named(tmp_path: Path, name: str, content: bytes,
                                    message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as err:
        read_text(path)
    assert name in str(err.value) and message in str(err.value)


def test_latin1_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Title: Junior Professional Officer on café workers\n".encode("cp1252"))
    assert "café" in read_text(path)


@pytest.mark.parametrize("text,months", [
    ("2 years with possibility of extension", 24), ("12 months, renewable", 12),
    ("one year", 12), ("18 months", 18), ("", None), ("renewable", None),
])
def test_duration_in_months(text: str, months: int | None) -> None:
    assert duration_in_months(text) == months


def test_abbreviations_and_honorifics_end_no_sentence() -> None:
    assert split_sentences("Tools (e.g. Power BI) help. Ask Mr. Andrés Cárdenas. No. 5 "
                           "is next.") == ["Tools (e.g. Power BI) help.",
                                           "Ask Mr. Andrés Cárdenas.", "No. 5 is next."]


def test_prose_sentences_keep_headings_and_label_lines_apart() -> None:
    text = ("ELIGIBILITY\n - This JPO position is sponsored by the Government of the\n"
            "Netherlands and is open only to nationals of the Netherlands.\n"
            "Sponsor: Government of Switzerland (open to Swiss nationals)\n"
            "Estimated start date: March 2026\n")
    assert prose_sentences(text) == [
        "- This JPO position is sponsored by the Government of the Netherlands and is open "
        "only to nationals of the Netherlands.",
        "Sponsor: Government of Switzerland (open to Swiss nationals)",
        "Estimated start date: March 2026"]


def test_a_supervisor_named_after_their_title() -> None:
    s = _parse_supervisor("Country Director, UNAIDS Brazil — Ms. Helena Vasconcelos Duarte "
                          "(duarteh@unaids.org)")
    assert (s.name, s.role, s.email) == ("Ms. Helena Vasconcelos Duarte",
                                         "Country Director, UNAIDS Brazil", "duarteh@unaids.org")

