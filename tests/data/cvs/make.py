"""Regenerate the twelve test CVs that live next to this script (fictional people).

    /work/main/.venv/bin/python tests/data/cvs/make.py

4 text, 4 DOCX (python-docx) and 4 PDF (fpdf2) files, in English, French and Spanish, in
several layouts: chronological (title line, then its dates), one line per job, table-like
(pipes in text, Word tables, PDF tables) and Europass-style (its headings, "Mother tongue(s)",
a language grid). What each should read as is in expected.json, written by hand from the CVs
below and the postings' requirements, not from the parser's output.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent

# A CV is a list of blocks: ("h", heading) | ("p", line) | ("row", [cells]) (a table row; rows
# in a row form one table).
Block = tuple[str, object]

CVS: dict[str, list[Block]] = {}

# 01 — text, English, chronological: title line, then its dates on the next line
CVS["01_chronological_en.txt"] = [
    ("p", "ANNA LINDQVIST"),
    ("p", "anna.lindqvist@example.org · +46 70 123 45 67 · Stockholm"),
    ("h", "PROFESSIONAL EXPERIENCE"),
    ("p", "Labour Market Analyst, Ministry of Employment, Stockholm"),
    ("p", "since March 2024"),
    ("p", "- Forecasts of regional labour demand; briefs for the minister's office."),
    ("p", "Research Assistant, Institute for Evaluation of Labour Market Policy"),
    ("p", "Oct 2020 – Sep 2021"),
    ("p", "- Impact evaluations of active labour market programmes."),
    ("p", "Intern, ILO Office for the Nordic and Baltic Countries"),
    ("p", "Jun 2019 – Aug 2019"),
    ("h", "EDUCATION"),
    ("p", "MSc in Development Economics, University of Sussex"),
    ("p", "September 2019 – September 2020"),
    ("p", "BA in Economics, University of Leeds"),
    ("p", "2016 – 2019"),
    ("h", "LANGUAGES"),
    ("p", "English – C2"),
    ("p", "German – native"),
    ("p", "French – B1"),
]

# 02 — text, French, one line per job and per degree
CVS["02_one_line_fr.txt"] = [
    ("p", "Camille Moreau"),
    ("p", "Juriste en droit international — camille.moreau@example.fr"),
    ("h", "FORMATION"),
    ("p", "2017 – 2019 : Master 2 en droit international, Université Paris 1 Panthéon-Sorbonne"),
    ("p", "2014 – 2017 : Licence en droit, Université Jean Moulin Lyon 3"),
    ("h", "EXPÉRIENCE PROFESSIONNELLE"),
    ("p", "10/2021 - 03/2023 : Chargée de mission droits de l'homme, Défenseur des droits, Paris"),
    ("p", "09/2019 - 08/2021 : Juriste, Ministère du Travail, Paris"),
    ("p", "04/2018 - 09/2018 : Stage, Organisation internationale du Travail, Genève"),
    ("h", "LANGUES"),
    ("p", "Français : langue maternelle"),
    ("p", "Anglais : courant (C1)"),
    ("p", "Espagnol : notions"),
]

# 03 — text, Spanish, Europass-style (its headings, dates first, mother tongue and other ones)
CVS["03_europass_es.txt"] = [
    ("h", "INFORMACIÓN PERSONAL"),
    ("p", "María José Fernández Quispe"),
    ("p", "Av. Arequipa 1234, Lima (Perú) · mjfernandez@example.pe"),
    ("h", "EXPERIENCIA LABORAL"),
    ("p", "Marzo de 2022 – junio de 2024"),
    ("p", "Oficial de programas, Ministerio de Trabajo y Promoción del Empleo, Lima"),
    ("p", "Enero de 2020 – febrero de 2022"),
    ("p", "Asistente de investigación, Universidad del Pacífico, Lima"),
    ("h", "EDUCACIÓN Y FORMACIÓN"),
    ("p", "2017 – 2019"),
    ("p", "Maestría en Economía, Pontificia Universidad Católica del Perú"),
    ("p", "2011 – 2016"),
    ("p", "Licenciatura en Sociología, Universidad Nacional Mayor de San Marcos"),
    ("h", "COMPETENCIAS PERSONALES"),
    ("p", "Lengua materna: español"),
    ("p", "Otros idiomas: inglés C1, francés B2"),
]

# 04 — text, English, table-like (pipes), an engineer
CVS["04_table_en.txt"] = [
    ("p", "Kwame Mensah | Accra, Ghana | kwame.mensah@example.com"),
    ("h", "EDUCATION"),
    ("row", ["Degree", "Institution", "Years"]),
    ("row", ["MSc in Environmental Engineering", "Imperial College London", "2019–2020"]),
    ("row", ["BSc in Civil Engineering", "KNUST, Kumasi", "2012–2016"]),
    ("h", "WORK EXPERIENCE"),
    ("row", ["Period", "Position", "Employer"]),
    ("row", ["2020–present", "Project Engineer", "Ghana Highway Authority"]),
    ("row", ["2016–2019", "Site Engineer", "Buildwell Construction Ltd"]),
    ("h", "LANGUAGES"),
    ("row", ["Language", "Level"]),
    ("row", ["English", "Fluent"]),
    ("row", ["French", "Basic"]),
]

# 05 — DOCX, English, chronological with Word headings and bullets; an overlapping volunteer role
CVS["05_chronological_en.docx"] = [
    ("p", "Priya Raman"),
    ("p", "New Delhi, India · priya.raman@example.in"),
    ("h", "Experience"),
    ("p", "Legal Officer, National Human Rights Commission, New Delhi"),
    ("p", "Jan 2022 – present"),
    ("p", "• Drafting opinions on complaints about bonded and child labour."),
    ("p", "Volunteer Counsel, Legal Aid Clinic for Domestic Workers"),
    ("p", "Jun 2021 – Dec 2021"),
    ("p", "Legal Researcher, Centre for Labour Law Research"),
    ("p", "08/2020 - 09/2021"),
    ("h", "Education"),
    ("p", "LLM in International Human Rights Law — University of Essex, 2021"),
    ("p", "LLB in Law — National Law School of India University, 2015 – 2020"),
    ("h", "Languages"),
    ("p", "English: fluent (C2)"),
    ("p", "Hindi: native"),
    ("p", "French: A2"),
]

# 06 — DOCX, French, Word tables (one row per entry)
CVS["06_tables_fr.docx"] = [
    ("p", "Jean-Baptiste Kouassi — Économiste"),
    ("p", "Abidjan, Côte d'Ivoire · jb.kouassi@example.ci"),
    ("h", "Expérience professionnelle"),
    ("row", ["Depuis janvier 2025", "Chargé d'études, Observatoire de l'emploi et des métiers, Abidjan"]),
    ("row", ["02/2021 - 12/2022", "Assistant de recherche, Centre ivoirien de recherches économiques"]),
    ("h", "Stages"),
    ("row", ["06/2020 - 09/2020", "Stagiaire, Bureau de pays de l'OIT, Abidjan"]),
    ("h", "Formation"),
    ("row", ["2018 – 2020", "Master en économie du développement, Université Félix Houphouët-Boigny"]),
    ("row", ["2015 – 2018", "Licence en sciences économiques, Université Alassane Ouattara"]),
    ("h", "Langues"),
    ("row", ["Français", "Langue maternelle"]),
    ("row", ["Anglais", "Courant"]),
    ("row", ["Espagnol", "Intermédiaire (B1)"]),
]

# 07 — DOCX, Spanish, Europass with tables and an internships section
CVS["07_europass_es.docx"] = [
    ("h", "Información personal"),
    ("p", "Lucía Martín Gómez · Madrid · lucia.martin@example.es"),
    ("h", "Experiencia profesional"),
    ("row", ["Desde septiembre de 2023",
             "Consultora en diligencia debida en derechos humanos, Ethos Consultores, Madrid"]),
    ("row", ["01/2021 – 12/2022", "Técnica de proyectos de sostenibilidad empresarial, Fundación Empresa y Sociedad"]),
    ("h", "Prácticas"),
    ("row", ["03/2020 – 08/2020", "Becaria, Red Española del Pacto Mundial de las Naciones Unidas"]),
    ("h", "Educación y formación"),
    ("row", ["2019 – 2020", "Máster en Empresa y Derechos Humanos, Universidad de Deusto"]),
    ("row", ["2015 – 2019", "Grado en Administración y Dirección de Empresas, Universidad Complutense de Madrid"]),
    ("h", "Competencias lingüísticas"),
    ("row", ["Lengua materna", "español"]),
    ("row", ["Inglés", "C1"]),
    ("row", ["Francés", "A2"]),
]

# 08 — DOCX, English, one line per job, three overlapping jobs
CVS["08_one_line_en.docx"] = [
    ("p", "TOM BECKER, Economist — Frankfurt am Main"),
    ("h", "Employment"),
    ("p", "2023–2024 Policy Analyst, OECD Directorate for Employment, Paris"),
    ("p", "2022–2024 Part-time Lecturer in Labour Economics, Goethe University Frankfurt"),
    ("p", "2021–2023 Economist, Deutsche Bundesbank, Frankfurt"),
    ("h", "Education"),
    ("p", "MA in Economics, University of Mannheim, 2020"),
    ("p", "BSc in Economics, University of Bonn, 2017"),
    ("h", "Languages"),
    ("p", "German (native), English (fluent), Spanish (intermediate)"),
]

# 09 — PDF, English, chronological; a job before the first degree
CVS["09_chronological_en.pdf"] = [
    ("p", "Elena Popescu"),
    ("p", "Chisinau, Moldova · elena.popescu@example.md"),
    ("h", "Work experience"),
    ("p", "Junior Consultant, Expert-Grup Economic Think Tank, Chisinau"),
    ("p", "Jan 2020 – Dec 2020"),
    ("p", "Programme Assistant, UNDP Moldova"),
    ("p", "10/2017 - 09/2019"),
    ("p", "Customer Service Officer, Moldindconbank"),
    ("p", "09/2010 - 08/2013"),
    ("h", "Education"),
    ("p", "MA in International Relations, Central European University, 2021 – 2022"),
    ("p", "BA in Political Science, University of Bucharest, 2013 – 2017"),
    ("h", "Languages"),
    ("p", "English (C1), Romanian (native), French (C2)"),
]

# 10 — PDF, French, Europass-style (dates first, "Compétences linguistiques")
CVS["10_europass_fr.pdf"] = [
    ("h", "Informations personnelles"),
    ("p", "Sophie Nguyen · Paris · sophie.nguyen@example.fr"),
    ("h", "Expérience professionnelle"),
    ("p", "sept. 2024 – aujourd'hui"),
    ("p", "Chargée de programme, Agence française de développement, Paris"),
    ("p", "oct. 2022 – août 2024"),
    ("p", "Consultante junior en études économiques, Cabinet Avenir Travail, Lyon"),
    ("p", "févr. 2022 – juil. 2022"),
    ("p", "Stagiaire, OCDE, Direction de l'emploi, du travail et des affaires sociales"),
    ("h", "Éducation et formation"),
    ("p", "2020 – 2022"),
    ("p", "Master en science des données, Sorbonne Université"),
    ("p", "2017 – 2020"),
    ("p", "Licence en mathématiques appliquées, Université de Bordeaux"),
    ("h", "Compétences linguistiques"),
    ("p", "Langue maternelle : français"),
    ("p", "Anglais : C2"),
    ("p", "Espagnol : B2"),
]

# 11 — PDF, Spanish, one line per job; a master's in progress; languages on one line
CVS["11_one_line_es.pdf"] = [
    ("p", "Diego Ramírez Soto — Ciudad de México"),
    ("h", "Experiencia"),
    ("p", "Desde marzo de 2025  Especialista en políticas laborales, OIT México"),
    ("p", "2019 - 2021  Analista, Secretaría del Trabajo y Previsión Social"),
    ("p", "2018 - 2019  Prácticas profesionales, Banco de México"),
    ("h", "Formación académica"),
    ("p", "Maestría en Políticas Públicas (en curso), CIDE, 2024 – 2026"),
    ("p", "Licenciatura en Economía, UNAM, 2013 – 2018"),
    ("h", "Idiomas"),
    ("p", "Español: nativo; Inglés: avanzado (C1); Francés: básico"),
]

# 12 — PDF, English, table-like (a PDF table), a student job that is not work
CVS["12_table_en.pdf"] = [
    ("p", "Aisha Bello · Lagos, Nigeria · aisha.bello@example.ng"),
    ("h", "Professional experience"),
    ("row", ["07/2023 - 06/2024", "Responsible Business Consultant (due diligence), Ethical Trade Partners"]),
    ("row", ["07/2021 - 06/2023", "Research Officer, Nigeria Employers' Consultative Association"]),
    ("row", ["09/2019 - 06/2021", "Graduate student assistant, LSE Department of Social Policy"]),
    ("h", "Education"),
    ("row", ["2019 - 2021", "Master of Public Policy (MPP), London School of Economics"]),
    ("row", ["2014 - 2018", "BSc in Sociology, University of Lagos"]),
    ("h", "Languages"),
    ("row", ["English", "native"]),
    ("row", ["French", "working knowledge"]),
    ("row", ["Hausa", "native"]),
]


# --------------------------------------------------------------------------- writers


def text_cv(blocks: list[Block]) -> bytes:
    lines: list[str] = []
    for kind, value in blocks:
        if kind == "h":
            lines += ["", str(value)]
        elif kind == "row":
            lines.append(" | ".join(value))  # type: ignore[arg-type]
        else:
            lines.append(str(value))
    return ("\n".join(lines).strip() + "\n").encode()


def docx_cv(blocks: list[Block]) -> bytes:
    import docx

    document = docx.Document()
    table = None
    for kind, value in blocks:
        if kind == "row":
            cells = list(value)  # type: ignore[call-overload]
            if table is None:
                table = document.add_table(rows=0, cols=len(cells))
            row = table.add_row()
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
            continue
        table = None
        if kind == "h":
            document.add_heading(str(value), level=1)
        elif str(value).startswith("• "):
            document.add_paragraph(str(value)[2:], style="List Bullet")
        else:
            document.add_paragraph(str(value))
    out = io.BytesIO()
    document.core_properties.author = "jpo-bot tests"
    document.save(out)
    return out.getvalue()


def pdf_cv(blocks: list[Block]) -> bytes:
    from fpdf import FPDF

    fonts = Path("/usr/share/fonts/truetype/dejavu")
    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))  # same bytes
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            with pdf.table(col_widths=(35, 135)[:len(rows[0])] if len(rows[0]) == 2 else None,
                           text_align="LEFT", first_row_as_headings=False) as table:
                for cells in rows:
                    row = table.row()
                    for text in cells:
                        row.cell(text)
            rows.clear()

    for kind, value in blocks:
        if kind == "row":
            rows.append(list(value))  # type: ignore[call-overload]
            continue
        flush()
        if kind == "h":
            pdf.ln(3)
            pdf.set_font("DejaVu", "B", 13)
            pdf.multi_cell(0, 8, str(value).upper(), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("DejaVu", "", 10.5)
            pdf.multi_cell(0, 6, str(value), new_x="LMARGIN", new_y="NEXT")
    flush()
    return bytes(pdf.output())


WRITERS = {".txt": text_cv, ".docx": docx_cv, ".pdf": pdf_cv}


def main() -> None:
    for name, blocks in CVS.items():
        path = HERE / name
        path.write_bytes(WRITERS[path.suffix](blocks))
        print(f"wrote {path.relative_to(HERE.parents[2])}")


if __name__ == "__main__":
    main()
