"""Regenerate the two binary test postings that live next to this script.

    /work/main/.venv/bin/python tests/data/agencies/make_binary_postings.py

writes
    unesco_beirut.pdf  - UNESCO-style JPO Terms of Reference (fpdf2): general
                         information table, running header, "Page X of Y" footer,
                         justified text with hyphenation at line ends;
    ohchr_geneva.docx  - OHCHR-style JPO Terms of Reference (python-docx): Title
                         paragraph, two-column general information table,
                         Heading 1 / Heading 2 headings, bulleted lists.

The text of both postings is contained in this file (fictional people).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------
# UNESCO Beirut (PDF)
# --------------------------------------------------------------------------

UNESCO_TITLE = "Associate Programme Specialist (Education in Emergencies)"

UNESCO_INFO = [
    ("Title of the post", UNESCO_TITLE),
    ("Organization", "United Nations Educational, Scientific and Cultural Organization (UNESCO)"),
    ("Sector / Unit", "Education Sector – Education Unit, UNESCO Regional Office in Beirut"),
    ("Duty station", "Beirut, Lebanon"),
    ("Grade", "P-2"),
    ("Type of appointment", "Fixed-term appointment under the Junior Professional Officer (JPO) Programme"),
    ("Duration", "2 years, with a possible extension for a third year subject to satisfactory "
                 "performance, availability of funds and the agreement of the sponsoring Government"),
    ("Supervisor", "Ms. Rana Abou Khalil, Senior Programme Specialist for Education (P-5), "
                   "r.aboukhalil@unesco.org"),
]

# Blocks: ("h1", text) | ("h2", text) | ("p", text) | ("ul", [items]) | ("ol", [items])
UNESCO_BLOCKS = [
    ("h1", "1. Background"),
    ("p", "UNESCO is the United Nations agency responsible for education and leads the coordination "
          "of the Education 2030 Agenda (Sustainable Development Goal 4). The UNESCO Regional Office in "
          "Beirut serves as the regional office for education in the Arab States and as the cluster office "
          "for Lebanon and the Syrian Arab Republic. It supports Member States in education sector "
          "planning, teacher development, technical and vocational education, higher education and the "
          "monitoring of SDG 4, and it leads UNESCO's education response to the crises affecting the region."),
    ("p", "Lebanon hosts one of the largest refugee populations per capita in the world, and repeated "
          "economic, political and security crises have disrupted the schooling of Lebanese and refugee "
          "children alike. Working with the Ministry of Education and Higher Education (MEHE), UNICEF, UNHCR "
          "and national partners, UNESCO supports non-formal and accelerated learning programmes, "
          "psychosocial support for teachers, the rehabilitation of damaged schools and the recognition of "
          "the qualifications of refugees. The Office also coordinates the regional roll-out of the UNESCO "
          "Qualifications Passport for refugees and vulnerable migrants, a standardised document that "
          "assesses higher education qualifications which cannot be fully documented."),
    ("p", "The JPO will join the Education Unit, a team of about fifteen programme and project staff, and "
          "will work mainly on education in emergencies and on the recognition of qualifications."),

    ("h1", "2. Supervision"),
    ("p", "Direct supervisor: Ms. Rana Abou Khalil, Senior Programme Specialist for Education, UNESCO "
          "Regional Office in Beirut."),
    ("h2", "Content and methodology of supervision"),
    ("ul", [
        "A work plan with clear objectives, deliverables and learning goals will be agreed between the "
        "JPO and the supervisor during the first month of the assignment.",
        "The JPO and the supervisor will meet weekly to discuss progress, priorities and learning needs. "
        "The JPO will also take part in the monthly meetings of the Education Unit.",
        "The JPO will receive close guidance at the beginning of the assignment and will be given "
        "increasing responsibility for managing project activities as experience is gained.",
        "Performance will be assessed through UNESCO's performance management system, with a "
        "mid-term review and an end-of-year appraisal.",
    ]),

    ("h1", "3. Duties and responsibilities"),
    ("p", "Under the direct supervision of the Senior Programme Specialist for Education, the JPO will:"),
    ("ol", [
        "Support the planning, implementation and monitoring of UNESCO's education in emergencies "
        "projects in Lebanon, including non-formal education, accelerated learning and psychosocial "
        "support for teachers.",
        "Contribute to the regional roll-out of the UNESCO Qualifications Passport: help organise "
        "assessment sessions with credential evaluators, follow up with higher education institutions "
        "and compile lessons learned.",
        "Assist MEHE in crisis-sensitive education sector planning, in cooperation with the UNESCO "
        "International Institute for Educational Planning (IIEP).",
        "Support the analysis of education data, including data from the education management "
        "information system, and prepare briefing notes on access to education for refugee and "
        "vulnerable Lebanese children.",
        "Represent UNESCO in the Education Sector Working Group and in technical meetings with UNICEF, "
        "UNHCR and NGO partners when delegated by the supervisor.",
        "Draft project proposals, donor reports and communication materials, and help organise "
        "workshops, webinars and regional meetings.",
        "Perform other related duties as required.",
    ]),

    ("h1", "4. Qualifications and experience"),
    ("h2", "Education"),
    ("p", "Essential: Advanced university degree (Master's or equivalent) in education, education policy, "
          "international development, social sciences or a related field."),
    ("p", "Desirable: Specialised training in education in emergencies, for example on the INEE "
          "Minimum Standards for Education."),
    ("h2", "Work experience"),
    ("p", "Essential: A minimum of two (2) and a maximum of four (4) years of relevant professional "
          "experience in education programmes, at national or international level. Only experience "
          "acquired after the first university degree is taken into account."),
    ("p", "Desirable: Experience in a humanitarian or crisis context; experience in the Arab States "
          "region; experience with refugee education or with the recognition of qualifications."),
    ("h2", "Languages"),
    ("p", "Essential: Excellent knowledge (written and spoken) of English."),
    ("p", "Desirable: Working knowledge of Arabic. Knowledge of French would be an asset."),
    ("h2", "Competencies"),
    ("p", "Core competencies: Accountability; Communication; Innovation; Knowledge sharing and continuous "
          "improvement; Planning and organizing; Results focus; Teamwork. Managerial competencies are "
          "not required for this post."),

    ("h1", "5. Learning elements and training"),
    ("p", "On completion of the assignment, the JPO will:"),
    ("ul", [
        "have a sound knowledge of UNESCO's mandate and programmes in education and of the way the "
        "Organization works with Member States in crisis settings;",
        "be able to plan, implement and monitor education in emergencies projects, from design to "
        "reporting;",
        "understand the methodology of the UNESCO Qualifications Passport and of the recognition of "
        "qualifications of refugees;",
        "have built a professional network among ministries, UN agencies and NGOs in the Arab States "
        "region.",
    ]),
    ("p", "Training: The JPO will attend the UNESCO induction programme for JPOs and complete UNESCO's "
          "mandatory online courses during the first three months. The JPO is expected to complete the "
          "IIEP online course on crisis-sensitive educational planning during the first year. Further "
          "training, including INEE training on the Minimum Standards for Education, may be financed "
          "from the JPO's training allowance in agreement with the supervisor."),

    ("h1", "6. Background information on the duty station"),
    ("p", "Beirut is the capital of Lebanon. Housing, international schools and private medical facilities "
          "are available, although costs are high and electricity supply can be irregular. The security "
          "situation may change at short notice; all personnel must follow the advice of the UN "
          "Department of Safety and Security (UNDSS)."),
    ("p", "UNESCO is committed to achieving geographical distribution and gender balance in its workforce "
          "and welcomes applications from persons with disabilities. UNESCO does not charge a fee at any "
          "stage of the recruitment process. Applications must be submitted through the JPO programme of "
          "the sponsoring Government."),
]

_CLUSTERS = {"bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "ph", "pl", "pr",
             "sc", "sh", "sk", "sp", "st", "th", "tr", "wh"}
_VOWELS = set("aeiouy")
SHY = "\u00ad"


def _hyphenate_word(word: str) -> str:
    """Insert soft hyphens into a long lower-case word (rough English syllable rules).

    VCV -> V-CV, VCCV -> VC-CV (V-CCV when CC is an onset cluster); at least three
    letters either side of a break.
    """
    if len(word) < 8 or not word.isalpha() or not word[1:].islower():
        return word
    low = word.lower()
    cuts = []
    i = 1
    while i < len(low) - 1:
        if low[i - 1] in _VOWELS and low[i] not in _VOWELS:
            j = i
            while j < len(low) and low[j] not in _VOWELS:
                j += 1
            if j >= len(low):
                break
            cons = low[i:j]
            if len(cons) == 1:
                cut = i
            elif cons[-2:] in _CLUSTERS:
                cut = j - 2
            else:
                cut = j - 1 if len(cons) >= 2 else i
            if 3 <= cut <= len(low) - 3:
                cuts.append(cut)
            i = j
        else:
            i += 1
    out, prev = [], 0
    for c in cuts:
        out.append(word[prev:c])
        prev = c
    out.append(word[prev:])
    return SHY.join(out)


def hyphenate(text: str) -> str:
    """Soft-hyphenate the words of a text, leaving e-mail addresses and web addresses alone."""
    def token(m: re.Match) -> str:
        tok = m.group(0)
        if "@" in tok or "www." in tok or "://" in tok:
            return tok
        return re.sub(r"[A-Za-z]+", lambda w: _hyphenate_word(w.group(0)), tok)
    return re.sub(r"\S+", token, text)


def make_pdf(path: Path) -> None:
    from fpdf import FPDF

    fonts = Path("/usr/share/fonts/truetype/dejavu")
    unicode_ok = (fonts / "DejaVuSans.ttf").exists() and (fonts / "DejaVuSans-Bold.ttf").exists()

    def t(s: str) -> str:
        if unicode_ok:
            return s
        return s.replace("–", "-").replace("’", "'").encode("latin-1", "replace").decode("latin-1")

    class ToR(FPDF):
        def header(self):
            self.set_font(FONT, "", 8)
            self.set_text_color(90, 90, 90)
            half = (self.w - self.l_margin - self.r_margin) / 2
            self.cell(half, 5, t("UNESCO – JPO Terms of Reference"), align="L")
            self.cell(half, 5, t("Associate Programme Specialist (EiE), Beirut"), align="R",
                      new_x="LMARGIN", new_y="NEXT")
            self.set_draw_color(0, 114, 188)
            self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
            self.ln(6)
            self.set_text_color(0, 0, 0)

        def footer(self):
            self.set_y(-15)
            self.set_font(FONT, "", 8)
            self.set_text_color(90, 90, 90)
            half = (self.w - self.l_margin - self.r_margin) / 2
            self.cell(half, 5, t("UNESCO JPO ToR – Beirut – February 2026"), align="L")
            self.cell(half, 5, f"Page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(0, 0, 0)

    pdf = ToR(format="A4")
    if unicode_ok:
        pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        FONT = "DejaVu"
    else:
        FONT = "Helvetica"
    pdf.set_title("UNESCO JPO Terms of Reference - " + UNESCO_TITLE)
    pdf.set_author("UNESCO Bureau of Human Resources Management")
    # fixed date so that regenerating gives the same metadata
    pdf.set_creation_date(datetime.datetime(2026, 2, 10, 9, 0, 0, tzinfo=datetime.timezone.utc))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.alias_nb_pages()
    pdf.add_page()

    pdf.set_font(FONT, "B", 15)
    pdf.set_text_color(0, 114, 188)
    pdf.multi_cell(0, 7, t("United Nations Educational, Scientific and Cultural Organization"), align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 6, t("JUNIOR PROFESSIONAL OFFICER (JPO) PROGRAMME\nTERMS OF REFERENCE"), align="C")
    pdf.ln(4)

    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, t("General information"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(col_widths=(45, 125), text_align=("LEFT", "LEFT"), first_row_as_headings=False,
                   line_height=5.2, padding=1.5) as table:
        for label, value in UNESCO_INFO:
            row = table.row()
            pdf.set_font(FONT, "B", 9.5)
            row.cell(t(label))
            pdf.set_font(FONT, "", 9.5)
            row.cell(t(value))
    pdf.ln(5)

    for kind, content in UNESCO_BLOCKS:
        if kind == "h1":
            pdf.ln(2)
            pdf.set_font(FONT, "B", 11.5)
            pdf.set_text_color(0, 114, 188)
            pdf.multi_cell(0, 7, t(content), new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
        elif kind == "h2":
            pdf.set_font(FONT, "B", 10)
            pdf.multi_cell(0, 6, t(content), new_x="LMARGIN", new_y="NEXT")
        elif kind == "p":
            pdf.set_font(FONT, "", 10)
            pdf.multi_cell(0, 5, t(hyphenate(content)), align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind in ("ul", "ol"):
            pdf.set_font(FONT, "", 10)
            for n, item in enumerate(content, 1):
                mark = "•" if kind == "ul" else f"{n}."
                if not unicode_ok and mark == "•":
                    mark = "-"
                pdf.set_x(pdf.l_margin + 3)
                pdf.cell(7, 5, mark)
                pdf.multi_cell(0, 5, t(hyphenate(item)), align="J", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            pdf.ln(1)
    pdf.output(str(path))


# --------------------------------------------------------------------------
# OHCHR Geneva (DOCX)
# --------------------------------------------------------------------------

OHCHR_INFO = [
    ("Title", "Associate Human Rights Officer (JPO)"),
    ("Organization", "Office of the United Nations High Commissioner for Human Rights (OHCHR)"),
    ("Division / Branch", "Human Rights Council and Treaty Mechanisms Division (HRCTMD) – "
                          "Universal Periodic Review Branch"),
    ("Duty station", "Geneva, Switzerland"),
    ("Duration", "One year, with the possibility of extension for a second year, subject to "
                 "satisfactory performance and the agreement of the sponsoring Government"),
    ("Supervisor", "Human Rights Officer (P-4), Universal Periodic Review Branch"),
    ("Second reporting officer", "Chief, Universal Periodic Review Branch"),
]

OHCHR_BLOCKS = [
    ("h1", "1. Background"),
    ("p", "The Office of the United Nations High Commissioner for Human Rights (OHCHR) leads the "
          "global human rights efforts of the United Nations. Its Human Rights Council and Treaty "
          "Mechanisms Division supports the Human Rights Council, its subsidiary bodies and the human "
          "rights treaty bodies."),
    ("p", "The Universal Periodic Review (UPR) is a State-driven process under the auspices of the "
          "Human Rights Council, in which the human rights record of every United Nations Member State "
          "is reviewed once every four and a half years. The UPR Branch serves as the secretariat of the "
          "UPR Working Group, which holds three two-week sessions a year, prepares the documentation for "
          "each review – the compilation of UN information and the summary of stakeholders' information "
          "– and supports States in implementing the recommendations they have accepted, including "
          "through the Voluntary Fund for Financial and Technical Assistance in the Implementation of "
          "the Universal Periodic Review."),

    ("h1", "2. Supervision"),
    ("p", "The JPO will work under the direct supervision of a Human Rights Officer (P-4) of the "
          "Universal Periodic Review Branch, with the Chief of the Branch as second reporting officer."),
    ("h2", "Content and methodology of supervision"),
    ("bullets", [
        "A work and learning plan will be agreed between the JPO and the supervisor within the first "
        "month and reviewed at the end of each UPR session.",
        "The JPO and the supervisor will meet every two weeks; in the weeks before a Working Group "
        "session, short daily coordination meetings are held by the team.",
        "All drafts will be reviewed by the supervisor before submission; the JPO will gradually take "
        "responsibility for the documentation of a group of countries.",
        "Performance will be assessed through the UN Secretariat's performance management system "
        "(Inspira), as applicable to JPOs.",
    ]),

    ("h1", "3. Duties and responsibilities"),
    ("p", "The Associate Human Rights Officer will:"),
    ("bullets", [
        "Research and draft the compilation of UN information for States under review, drawing on "
        "the reports of the treaty bodies, the special procedures and United Nations entities.",
        "Contribute to the preparation of the summary of stakeholders' information submitted by "
        "national human rights institutions and civil society organizations.",
        "Support the organization of the sessions of the UPR Working Group, including the preparation "
        "of the list of speakers, background notes for the troika and the draft reports of the Working "
        "Group.",
        "Follow up on the implementation of UPR recommendations with OHCHR field presences and UN "
        "country teams, and help maintain the recommendations in the Universal Human Rights Index.",
        "Assist in the administration of the UPR Voluntary Fund for Financial and Technical "
        "Assistance, including the review of project proposals and reports.",
        "Prepare talking points, briefing notes and presentations for the Chief of Branch and "
        "contribute to outreach activities on the UPR.",
        "Perform other related tasks as required.",
    ]),

    ("h1", "4. Qualifications and experience"),
    ("h2", "Education"),
    ("p", "Essential: Advanced university degree (Master's degree or equivalent) in law, political "
          "science, international relations, social sciences or a related area."),
    ("p", "Desirable: Specialisation in international human rights law."),
    ("h2", "Work experience"),
    ("p", "Essential: A minimum of 2 years of progressively responsible professional experience in "
          "human rights, international law, international relations or a related field."),
    ("p", "Desirable: Experience with United Nations human rights mechanisms (treaty bodies, special "
          "procedures or the UPR), with a national human rights institution or with a civil society "
          "organization engaging with the UPR."),
    ("h2", "Languages"),
    ("p", "English and French are the working languages of the United Nations Secretariat. For this "
          "post, fluency in English and French (oral and written) is essential. Knowledge of Spanish "
          "is an asset."),
    ("h2", "Competencies"),
    ("bullets", [
        "Professionalism: knowledge of international human rights standards and mechanisms; "
        "sound research and drafting skills.",
        "Communication: drafts clearly and concisely; adapts style to the audience.",
        "Teamwork: works well with colleagues and delegations of many backgrounds, particularly "
        "under tight deadlines around Working Group sessions.",
        "Planning and organizing: manages several country files in parallel.",
    ]),

    ("h1", "5. Training and learning elements"),
    ("p", "At the end of the assignment the JPO will:"),
    ("bullets", [
        "have an in-depth understanding of the UPR cycle, from the preparation of the documentation "
        "to the follow-up on recommendations;",
        "know how the Human Rights Council and the other human rights mechanisms interact;",
        "have gained experience in drafting official UN documents and in working with Member States "
        "and civil society;",
        "have built a network within OHCHR, including with field presences.",
    ]),
    ("p", "Training: The JPO will follow the OHCHR induction programme for new staff and complete the "
          "mandatory UN Secretariat e-learning courses within the first month. The JPO will attend the "
          "internal training course on the UPR methodology organized by the Branch and will follow at "
          "least one session of the Human Rights Council. Additional training may be financed from the "
          "training budget of the sponsoring Government's JPO programme."),

    ("h1", "6. Background information on the duty station"),
    ("p", "Geneva is a family duty station. OHCHR is located at the Palais Wilson and at the Palais des "
          "Nations. The cost of living, especially housing, is high."),
    ("p", "OHCHR welcomes applications from qualified women and men, including persons with "
          "disabilities. The United Nations does not charge a fee at any stage of the recruitment "
          "process."),
]


def make_docx(path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    doc.core_properties.title = "JPO Terms of Reference - Associate Human Rights Officer (UPR Branch)"
    doc.core_properties.author = "OHCHR Human Resources Management Section"
    # fixed date so that regenerating gives the same metadata
    doc.core_properties.created = datetime.datetime(2026, 2, 10, 9, 0, 0)
    doc.core_properties.modified = datetime.datetime(2026, 2, 10, 9, 0, 0)

    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)
        footer = section.footer.paragraphs[0]
        footer.text = "OHCHR – JPO Terms of Reference – Associate Human Rights Officer, Geneva"
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    p = doc.add_paragraph("Office of the United Nations High Commissioner for Human Rights", style="Subtitle")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph("Junior Professional Officer (JPO) – Terms of Reference", style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("General information", level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in OHCHR_INFO:
        cells = table.add_row().cells
        cells[0].text = ""
        run = cells[0].paragraphs[0].add_run(label)
        run.bold = True
        cells[1].text = value
    for row in table.rows:
        row.cells[0].width = Cm(4.5)
        row.cells[1].width = Cm(12.0)
    doc.add_paragraph()

    for kind, content in OHCHR_BLOCKS:
        if kind == "h1":
            doc.add_heading(content, level=1)
        elif kind == "h2":
            doc.add_heading(content, level=2)
        elif kind == "p":
            para = doc.add_paragraph(content)
            para.paragraph_format.space_after = Pt(6)
        elif kind == "bullets":
            for item in content:
                doc.add_paragraph(item, style="List Bullet")
    doc.save(str(path))


def main() -> None:
    make_pdf(HERE / "unesco_beirut.pdf")
    make_docx(HERE / "ohchr_geneva.docx")
    print("wrote", HERE / "unesco_beirut.pdf", "and", HERE / "ohchr_geneva.docx")


if __name__ == "__main__":
    main()
