"""Synthetic JPO postings recombined from the sections of the real ones in `corpus/`.

Every generated file is written in the plain layout `PostingParser` reads ("Post number:",
"GENERAL INFORMATION:", "Minimum:"/"Desirable:" …). The identity of a posting — title, duty
station, duration, grade, department, unit, supervisor, post number, issue month — is varied
per posting, so every *summary* chunk (and the first supervision chunk, which names the
supervisor) is unique. The long prose sections (introduction, supervision method, requirement
blocks, competencies, training, learning, background) are copied verbatim from one real
"donor" posting each, and the duties come from a small pool of bullet bundles sampled from the
real duties, so most chunk texts repeat exactly and the indexer embeds them once.

    python -m bench.generate --n 1000 --out /tmp/corpus1000 [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.loaders import corpus_files
from retrieval.models import Posting, RequirementBlock
from retrieval.parsing import PostingParser
from retrieval.settings import PROJECT_ROOT

REAL_CORPUS = PROJECT_ROOT / "corpus"

THEMES = [
    "social protection", "green jobs", "skills development", "labour migration",
    "child labour", "occupational safety and health", "youth employment", "gender equality",
    "just transition", "platform work", "social dialogue", "minimum wages", "informal economy",
    "cooperatives", "disability inclusion", "forced labour", "labour statistics",
    "employment-intensive investment", "global supply chains", "care economy", "digital skills",
    "entrepreneurship", "labour inspection", "collective bargaining", "unemployment insurance",
    "pension reform", "health protection", "apprenticeships", "rural employment",
    "crisis response", "climate adaptation", "maritime labour", "fair recruitment",
    "domestic work", "artificial intelligence", "productivity", "enterprise development",
    "financial inclusion", "social finance", "decent work indicators", "wage policy",
    "working time", "teleworking", "violence and harassment", "HIV and AIDS at work",
    "refugee livelihoods", "labour law reform", "employment services", "export processing zones",
    "tourism and hospitality", "mining", "agriculture", "construction", "textiles and garments",
    "public services", "education sector workers", "health workers", "seafarers",
    "fisheries", "transport and logistics",
]
FOCUS = [
    "for young women", "in fragile settings", "in the Sahel", "in South-East Asia",
    "in small island states", "in the Andean region", "for migrant workers",
    "for persons with disabilities", "for indigenous peoples", "in the digital economy",
    "in rural areas", "in urban informal settlements", "in the Arab States",
    "in Central Asia", "in the Western Balkans", "in the Caribbean", "in East Africa",
    "in West Africa", "in Southern Africa", "in the Pacific", "in South Asia",
    "in Latin America", "in the Mekong region", "for older workers", "for youth",
    "for micro and small enterprises", "for platform workers", "for domestic workers",
    "for refugees and host communities", "for the self-employed", "in conflict-affected areas",
    "in middle-income countries", "in least developed countries", "in the green economy",
    "in the care sector", "in export industries", "in the public sector",
    "for workers in the informal economy", "at sectoral level", "in global value chains",
]
CROSS_CUTTING = [
    "", "", "", "", "", " and data analysis", " and policy advice", " and impact evaluation",
    " and knowledge management", " and partnerships", " and communication",
    " and capacity building", " and project management", " and research",
]
DUTY_STATIONS = [
    "Geneva, Switzerland", "Bangkok, Thailand", "Nairobi, Kenya", "Abidjan, Côte d'Ivoire",
    "Beirut, Lebanon", "Lima, Peru", "New Delhi, India", "Jakarta, Indonesia",
    "Dakar, Senegal", "Pretoria, South Africa", "Addis Ababa, Ethiopia", "Cairo, Egypt",
    "Manila, Philippines", "Hanoi, Viet Nam", "Santiago, Chile", "San José, Costa Rica",
    "Mexico City, Mexico", "Brasilia, Brazil", "Budapest, Hungary", "Moscow, Russian Federation",
    "Beijing, China", "Suva, Fiji", "Port of Spain, Trinidad and Tobago", "Yaoundé, Cameroon",
    "Kinshasa, Democratic Republic of the Congo", "Dar es Salaam, Tanzania", "Lusaka, Zambia",
    "Harare, Zimbabwe", "Abuja, Nigeria", "Algiers, Algeria", "Amman, Jordan",
    "Islamabad, Pakistan", "Dhaka, Bangladesh", "Colombo, Sri Lanka", "Kathmandu, Nepal",
    "Yangon, Myanmar", "Tokyo, Japan", "Brussels, Belgium", "Turin, Italy",
    "New York, United States", "Washington, United States", "Buenos Aires, Argentina",
    "Port-au-Prince, Haiti", "Antananarivo, Madagascar", "Kampala, Uganda", "Tunis, Tunisia",
]
DURATIONS = [
    "12 months, renewable", "2 years", "24 months", "1 year with possibility of extension",
    "18 months", "2 years with possibility of extension for another year",
    "12 months", "36 months", "two years", "1 year, renewable for a second year",
]
GRADES = ["P1", "P2", "P2", "P2", "", ""]
DEPARTMENTS = [
    ("Employment Policy Department", "EMPLOYMENT"), ("Social Protection Department", "SOCPRO"),
    ("Sectoral Policies Department", "SECTOR"),
    ("International Labour Standards Department", "NORMES"),
    ("Conditions of Work and Equality Department", "WORKQUALITY"),
    ("Enterprises Department", "ENTERPRISES"), ("Research Department", "RESEARCH"),
    ("Department of Statistics", "STATISTICS"),
    ("Governance and Tripartism Department", "GOVERNANCE"),
    ("Partnerships and Field Support Department", "PARDEV"),
    ("Bureau for Workers' Activities", "ACTRAV"),
    ("Bureau for Employers' Activities", "ACTEMP"),
    ("Fundamental Principles and Rights at Work Branch", "FUNDAMENTALS"),
    ("Regional Office for Africa", "ROAF"),
    ("Regional Office for Asia and the Pacific", "ROAP"),
    ("Regional Office for Latin America and the Caribbean", "ROLAC"),
    ("Regional Office for Arab States", "ROAS"),
    ("Regional Office for Europe and Central Asia", "ROEUCA"),
    ("Decent Work Technical Support Team for East and Southern Africa", "DWTESA"),
    ("Decent Work Technical Support Team for South-East Asia and the Pacific", "DWTSEAP"),
    ("Country Office for the Andean Countries", "COANDEAN"),
    ("Country Office for South Asia", "COSA"),
    ("Strategic Programming and Management Department", "PROGRAM"),
    ("Multilateral Cooperation Department", "MULTILATERALS"),
    ("Department of Communication and Public Information", "DCOMM"),
]
UNIT_KINDS = ["Unit", "Branch", "Team", "Section", "Programme"]
FIRST_NAMES = [
    "Maria", "Ahmed", "Sofia", "Kwame", "Lena", "Ravi", "Chiara", "Tomás", "Aiko", "Fatou",
    "Daniel", "Amina", "Jonas", "Priya", "Lucas", "Nadia", "Samuel", "Yuki", "Elena", "Omar",
    "Grace", "Mateo", "Hanna", "Kofi", "Irina", "Pablo", "Leila", "Martin", "Zanele", "Chen",
    "Ingrid", "Rafael", "Noura", "Peter", "Ana", "Karim", "Julia", "Tariq", "Marta", "David",
]
LAST_NAMES = [
    "Gonzalez", "Haddad", "Rossi", "Mensah", "Schmidt", "Sharma", "Bianchi", "Silva",
    "Tanaka", "Diallo", "Müller", "Okafor", "Lindqvist", "Patel", "Moreau", "Benali",
    "Kowalski", "Nakamura", "Petrova", "Farouk", "Achieng", "Herrera", "Johansson", "Boateng",
    "Ivanova", "Castillo", "Rahimi", "Dubois", "Dlamini", "Wang", "Larsen", "Ortega",
    "Al-Sayed", "Novak", "Costa", "Mansour", "Becker", "Hussain", "Fernandes", "Cohen",
    "Van der Berg", "De Souza", "Kariuki", "Nguyen", "Chowdhury", "Abebe", "Popescu", "Lopez",
]
ROLES = [
    "Senior Specialist", "Head of Unit", "Technical Officer", "Programme Manager", "Chief",
    "Senior Economist", "Legal Specialist", "Employment Specialist", "Coordinator",
    "Branch Chief", "Technical Specialist", "Director",
]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
DUTIES_LEAD = ("Under the direct supervision of the supervisor, the JPO will perform the "
               "following duties and responsibilities:")
OUTPUTS_LEAD = ("During the period of assignment, the JPO will contribute to the following "
                "key outputs:")
COMPETENCIES_LEAD = ("The candidate is expected to demonstrate and be guided by ILO competencies, "
                     "specifically:")
_OTHER_TASKS = re.compile(r"^perform others? tasks?", re.I)


@dataclass(frozen=True)
class Donors:
    """The parsed real postings and the pool of duty bundles drawn from them."""

    postings: list[Posting]
    duty_bundles: list[list[str]]


def load_donors(corpus_dir: Path = REAL_CORPUS, rng: random.Random | None = None,
                bundles: int = 32) -> Donors:
    """Parse the real postings and sample `bundles` fixed duty-bullet bundles from them."""
    parser = PostingParser()
    postings = [parser.parse(p.read_text(encoding="utf-8"), p.stem, p.name)
                for p in corpus_files(corpus_dir)]
    if not postings:
        raise SystemExit(f"no postings in {corpus_dir}")
    rng = rng or random.Random(0)
    pool = sorted({d for p in postings for d in p.duties if not _OTHER_TASKS.match(d)})
    closers = sorted({d for p in postings for d in p.duties if _OTHER_TASKS.match(d)})
    duty_bundles = []
    for _ in range(bundles):
        picked = rng.sample(pool, k=min(len(pool), rng.randint(5, 8)))
        duty_bundles.append([*picked, rng.choice(closers)] if closers else picked)
    return Donors(postings, duty_bundles)


def acronym(words: str) -> str:
    """Initials of the significant words: 'Green Jobs Unit' → 'GJU'."""
    minor = {"and", "of", "the", "for", "in", "at", "on", "to", "a"}
    return "".join(w[0].upper() for w in re.split(r"[\s-]+", words)
                   if w and w.lower() not in minor and w[0].isalpha())


def _block(label: str, block: RequirementBlock) -> list[str]:
    out = [f"{label}:"]
    if block.minimum:
        out += ["Minimum:", block.minimum]
    if block.desirable:
        out += ["Desirable:", block.desirable]
    return [*out, ""]


def _paragraphs(text: str) -> list[str]:
    return [*[line for line in text.split("\n") if line.strip()], ""]


def render(index: int, rng: random.Random, donors: Donors, used_titles: set[str]) -> str:
    """The text of one synthetic posting."""
    for _ in range(100):
        topic = f"{rng.choice(THEMES)} {rng.choice(FOCUS)}{rng.choice(CROSS_CUTTING)}"
        if topic not in used_titles:
            break
    used_titles.add(topic)
    pick = donors.postings
    donor = rng.choice(pick)  # prose sections travel together: introduction, supervision, …
    dept, dept_acr = rng.choice(DEPARTMENTS)
    unit_words = f"{rng.choice(THEMES).capitalize()} {rng.choice(UNIT_KINDS)}"
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{re.sub(r'[^a-z]', '', last.lower())}{rng.randint(1, 99)}@ilo.org"
    grade = rng.choice(GRADES)
    outputs_donor = rng.choice(pick)
    lines = [
        f"Post number: {2025 + index // 5000}-{1000 + index}",
        f"Month of issue: {rng.choice(MONTHS)} {rng.choice([2024, 2025, 2026])}",
        "",
        "GENERAL INFORMATION:",
        f"Title: Junior Professional Officer in {topic}",
        f"Duty station: {rng.choice(DUTY_STATIONS)}",
        f"Duration of assignment: {rng.choice(DURATIONS)}",
        *([f"Grade: {grade}"] if grade else []),
        f"Department/ Field Office: {dept} ({dept_acr})",
        f"Organisational unit: {unit_words} ({acronym(unit_words)})",
        "",
        "SUPERVISION:",
        f"Direct Supervision by: {first} {last}, {rng.choice(ROLES)}, {unit_words} ({email})",
        "",
    ]
    if donor.supervision_method:
        lines += ["Content and methodology of supervision:", *_paragraphs(donor.supervision_method)]
    lines += ["INTRODUCTION:", *_paragraphs(donor.introduction or rng.choice(pick).introduction)]
    lines += ["DUTIES AND RESPONSIBILITIES:", DUTIES_LEAD,
              *[f"- {d}" for d in rng.choice(donors.duty_bundles)]]
    if outputs_donor.key_outputs:
        lines += [OUTPUTS_LEAD, *[f"- {k}" for k in outputs_donor.key_outputs]]
    lines += ["", "QUALIFICATIONS AND EXPERIENCE:", ""]
    for name, label in (("education", "Education"), ("experience", "Work experience"),
                        ("skills", "Skills"), ("languages", "Languages")):
        lines += _block(label, getattr(rng.choice(pick), name))
    comp = rng.choice(pick).competencies
    lines += ["ILO COMPETENCIES:", COMPETENCIES_LEAD, *[f"- {c}" for c in comp], ""]
    learn_donor = rng.choice(pick)
    lines += ["TRAINING COMPONENTS AND LEARNING ELEMENTS:", ""]
    if learn_donor.training:
        lines += ["Training components:", *_paragraphs(learn_donor.training)]
    if learn_donor.learning:
        lines += ["Learning elements:", *[f"- {item}" for item in learn_donor.learning], ""]
    lines += ["BACKGROUND INFORMATION:", *_paragraphs(rng.choice(pick).background)]
    return "\n".join(lines).rstrip() + "\n"


def generate(n: int, out_dir: Path | str, seed: int = 7,
             corpus_dir: Path = REAL_CORPUS, duty_bundles: int = 32) -> list[Path]:
    """Write `n` synthetic postings `syn_00000.txt`… into `out_dir` (emptied of old ones)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("syn_*.txt"):
        old.unlink()
    rng = random.Random(seed)
    donors = load_donors(corpus_dir, rng, duty_bundles)
    used: set[str] = set()
    width = max(5, len(str(n)))
    paths = []
    for i in range(n):
        path = out / f"syn_{i:0{width}d}.txt"
        path.write_text(render(i, rng, donors, used), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of postings")
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", type=Path, default=REAL_CORPUS, help="real postings to recombine")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.n, args.out, args.seed, args.corpus)
    print(f"wrote {len(paths)} postings to {args.out} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
