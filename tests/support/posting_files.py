"""Posting files for upload tests, generated in the formats admins send: DOCX (python-docx),
PDF (fpdf2) and Markdown, plus broken ones."""

from __future__ import annotations

import io

SOCIAL_PROTECTION = {
    "title": "Junior Professional Officer in Social Protection Floors",
    "post_number": "5150",
    "fields": [
        ("Duty station", "Lima, Peru"),
        ("Duration of the assignment", "24 months"),
        ("Grade", "P1"),
        ("Department/ Field Office", "Social Protection Department (SOCPRO)"),
        ("Organisational unit", "Andean Countries Office"),
    ],
    "supervisor": "Rosa Quispe, Social Protection Specialist (quispe@ilo.org)",
    "duties": [
        "Support the design of national social protection floors in the Andean region;",
        "Analyse the coverage of pension and health schemes;",
        "Organise tripartite workshops on social security reform.",
    ],
    "education": "Advanced university degree in economics, social policy or actuarial science.",
    "languages": "Excellent command of Spanish and a working knowledge of English.",
}

SAFETY = {
    "title": "Junior Professional Officer on occupational safety and health",
    "post_number": "6160",
    "fields": [
        ("Duty station", "Nairobi, Kenya"),
        ("Duration of the assignment", "12 months, renewable"),
        ("Grade", "P2"),
        ("Department/ Field Office", "Governance and Tripartism Department (GOVERNANCE)"),
        ("Organisational unit", "Labour Administration, Labour Inspection and OSH Branch"),
    ],
    "supervisor": "Peter Mwangi, Senior OSH Specialist (mwangi@ilo.org)",
    "duties": [
        "Support labour inspectorates in East Africa on safety in construction;",
        "Compile data on occupational accidents and diseases;",
        "Draft training material for labour inspectors.",
    ],
    "education": "Advanced university degree in occupational safety, engineering or public "
                 "health.",
    "languages": "Excellent command of English; knowledge of Swahili is an asset.",
}


def posting_lines(spec: dict) -> list[str]:
    """The posting as plain lines, in the layout of the ILO vacancy template."""
    lines = [
        "International Labour Office",
        f"Post number: {spec['post_number']}",
        "Month of issue: May 2025",
        "GENERAL INFORMATION:",
        f"Title: {spec['title']}",
        *(f"{label}: {value}" for label, value in spec["fields"]),
        "SUPERVISION",
        "Direct Supervision by:",
        spec["supervisor"],
        "DUTIES AND RESPONSIBILITIES",
        "The JPO will perform the following duties and responsibilities:",
        *(f"- {duty}" for duty in spec["duties"]),
        "REQUIRED QUALIFICATIONS",
        "Education:",
        spec["education"],
        "Languages:",
        spec["languages"],
    ]
    return lines


def markdown_posting(spec: dict) -> bytes:
    return ("\n\n".join(posting_lines(spec)) + "\n").encode()


def docx_posting(spec: dict) -> bytes:
    import docx

    document = docx.Document()
    for line in posting_lines(spec):
        if line.isupper():  # "GENERAL INFORMATION:" etc.
            document.add_heading(line.rstrip(":").title(), level=2)
        elif line.startswith("- "):
            document.add_paragraph(line[2:], style="List Bullet")
        else:
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_posting(spec: dict) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in posting_lines(spec):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


BROKEN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage \x00\x01\x02 no xref"
BINARY_TXT = bytes(range(256)) * 8
NOT_A_POSTING = b"Shopping list\n\nmilk, eggs, bread, coffee.\n"
