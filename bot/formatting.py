"""Everything the bot shows is built here, as Telegram HTML.

The rule is simple: every string that comes from a user or from the corpus goes through
`esc()` before it is put next to markup, and every reply goes through `split_message()`
before it is sent, so nothing longer than Telegram's limit (or with a broken tag) leaves.
(Longer than our ~400 lines on purpose: every text the bot renders is in this one file, so
the escaping can be audited in one place.)
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.i18n import N_, _, ngettext, number
from retrieval.compare import Cell, Comparison, Row
from retrieval.models import Answer, Posting, RequirementBlock

if TYPE_CHECKING:
    from retrieval.indexer import IndexReport
    from state.feedback import FeedbackStats

TELEGRAM_LIMIT = 4096
# Room kept free in each chunk for the closing/reopening tags added when a split falls
# inside a tag pair (e.g. a long <blockquote>).
_TAG_RESERVE = 256
_SEPARATORS = ("\n\n", "\n", " ")
_TAG_RE = re.compile(r"<[^>]*>")
_ATOM_RE = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|.", re.DOTALL)
_TAG_NAME_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)")
NOT_STATED = N_("not stated")
# The parser's key fields (Posting.field_report), as the upload preview names them.
FIELD_NAMES = {
    "title": N_("title"), "organisation": N_("organisation"),
    "duty station": N_("duty station"), "grade": N_("grade"), "duration": N_("duration"),
    "supervisor": N_("supervisor"), "duties": N_("duties"), "education": N_("education"),
    "experience": N_("experience"), "languages": N_("languages"),
}


class Section(StrEnum):
    """Parts of a posting the card can expand into (values travel in callback data)."""

    CARD = "card"
    DUTIES = "duties"
    REQUIREMENTS = "req"
    LANGUAGES = "lang"
    SUPERVISOR = "sup"
    LEARNING = "learn"


# English msgids: translate with _() where shown.
SECTION_TITLES: dict[Section, str] = {
    Section.DUTIES: N_("Duties"),
    Section.REQUIREMENTS: N_("Requirements"),
    Section.LANGUAGES: N_("Languages"),
    Section.SUPERVISOR: N_("Supervisor & contact"),
    Section.LEARNING: N_("Learning"),
}


def esc(text: object) -> str:
    """Escape text for HTML parse mode (quotes need no escaping outside attributes)."""
    return html.escape(str(text), quote=False)


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- splitting


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split HTML into chunks of at most `limit`, preferring paragraph, then line, then word
    boundaries; never inside a tag or entity. Tags open at a split are closed at the end of
    the chunk and reopened at the start of the next, so every chunk is valid on its own."""
    text = text.strip()
    if tg_len(text) <= limit:
        return [text] if text else []
    budget = max(limit - _TAG_RESERVE, limit // 2)
    chunks = [c.strip() for c in _pack(text, budget, 0)]
    return _balance([c for c in chunks if c])


def _split_outside_tags(text: str, sep: str) -> list[str]:
    """`text.split(sep)`, except that separators inside `<...>` do not count."""
    parts = [""]
    pos = 0
    for match in _TAG_RE.finditer(text):
        pieces = text[pos:match.start()].split(sep)
        parts[-1] += pieces[0]
        parts.extend(pieces[1:])
        parts[-1] += match.group(0)
        pos = match.end()
    pieces = text[pos:].split(sep)
    parts[-1] += pieces[0]
    parts.extend(pieces[1:])
    return parts


def _pack(text: str, budget: int, level: int) -> list[str]:
    if tg_len(text) <= budget:
        return [text]
    if level == len(_SEPARATORS):
        return _pack_atoms(text, budget)
    sep = _SEPARATORS[level]
    chunks: list[str] = []
    current: str | None = None
    for part in _split_outside_tags(text, sep):
        if tg_len(part) > budget:
            # An oversized part is cut more finely; its pieces are already near the budget.
            if current is not None:
                chunks.append(current)
            *full, current = _pack(part, budget, level + 1)
            chunks.extend(full)
            continue
        candidate = part if current is None else current + sep + part
        if tg_len(candidate) <= budget:
            current = candidate
        else:
            if current is not None:
                chunks.append(current)
            current = part
    if current is not None:
        chunks.append(current)
    return chunks


def _pack_atoms(text: str, budget: int) -> list[str]:
    """Last resort for a single huge word: cut between characters, tags and entities."""
    chunks: list[str] = []
    current = ""
    for atom in _ATOM_RE.findall(text):
        if current and tg_len(current + atom) > budget:
            chunks.append(current)
            current = ""
        current += atom
    if current:
        chunks.append(current)
    return chunks


def _balance(chunks: list[str]) -> list[str]:
    """Close tags left open at the end of a chunk and reopen them in the next one."""
    result: list[str] = []
    carried: list[tuple[str, str]] = []  # (name, full opening tag)
    for chunk in chunks:
        body = "".join(tag for _, tag in carried) + chunk
        stack = list(carried)
        for match in _TAG_RE.finditer(chunk):
            name_match = _TAG_NAME_RE.match(match.group(0))
            if not name_match:
                continue
            closing, name = name_match.group(1), name_match.group(2).lower()
            if not closing:
                stack.append((name, match.group(0)))
            else:
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == name:
                        del stack[i:]
                        break
        body += "".join(f"</{name}>" for name, _ in reversed(stack))
        result.append(body)
        carried = stack
    return result


# --------------------------------------------------------------------------- answers


def format_answer(answer: Answer) -> str:
    """The answer text followed by a de-duplicated "Sources" list (split it for sending)."""
    parts = [esc(answer.text.strip()) or _("I have no answer to that.")]
    labels: list[str] = []
    for citation in answer.citations:
        if citation.label not in labels:
            labels.append(citation.label)
    if labels:
        sources = "\n".join(f"• {esc(label)}" for label in labels)
        parts.append(f"<b>{_('Sources')}</b>\n{sources}")
    return "\n\n".join(parts)


def format_too_long(length: int, limit: int) -> str:
    return _(
        "Your message is {length} characters long; I can read questions of up to "
        "{limit} characters. Please send a shorter question — one or two sentences "
        "about a posting usually work best."
    ).format(length=number(length), limit=number(limit))


def format_unknown_command(command: str) -> str:
    """Names the command back (escaped: it is user text), so typos are easy to spot."""
    shown = command if len(command) <= 64 else command[:63] + "…"
    return _("Sorry, I don't know the command {command}. See /help for what I can do.").format(
        command=esc(shown))


def format_welcome(first_name: str, postings: int, last_indexed: datetime | None) -> str:
    name = f", {esc(first_name)}" if first_name else ""
    when = format_timestamp(last_indexed) if last_indexed else _("not indexed yet")
    return "\n\n".join([
        _("Hello{name}! I answer questions about ILO Junior Professional Officer (JPO) "
          "vacancies.").format(name=name),
        ngettext("I know <b>{count}</b> posting (last indexed: {when}).",
                 "I know <b>{count}</b> postings (last indexed: {when}).",
                 postings).format(count=postings, when=esc(when)),
        _("Ask me anything in plain text — who supervises a post, where it is based, which "
          "languages it needs — or use the buttons below."),
    ])


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- postings


def _or_not_stated(value: str) -> str:
    return esc(value.strip()) if value and value.strip() else _not_stated()


def _not_stated() -> str:
    return f"<i>{_(NOT_STATED)}</i>"


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"• {esc(item.strip())}" for item in items if item.strip())


def posting_title(posting: Posting) -> str:
    return posting.short_title or posting.title or posting.id


def posting_button_label(posting: Posting, max_chars: int = 60) -> str:
    """Plain text (buttons are not parsed as HTML, so no escaping here)."""
    title = posting_title(posting)
    station = posting.duty_station.split(",")[0].strip()
    label = f"{title} ({station})" if station else title
    return label if len(label) <= max_chars else label[: max_chars - 1].rstrip() + "…"


def format_posting_list(postings: int, page: int, pages: int) -> str:
    head = ngettext("<b>{count} JPO posting</b>", "<b>{count} JPO postings</b>",
                    postings).format(count=postings)
    if pages > 1:
        head += _(" — page {page} of {pages}").format(page=page + 1, pages=pages)
    return f"{head}\n{_('Tap one to see its details.')}"


def format_posting_card(posting: Posting) -> str:
    department = " / ".join(p.strip() for p in (posting.department, posting.unit) if p.strip())
    lines = [
        f"<b>{esc(posting.title or posting.id)}</b>",
        "",
        f"<b>{_('Organisation:')}</b> {_or_not_stated(posting.organisation)}",
        f"<b>{_('Department / unit:')}</b> {_or_not_stated(department)}",
        f"<b>{_('Grade:')}</b> {_or_not_stated(posting.grade)}",
        f"<b>{_('Duration:')}</b> {_or_not_stated(posting.duration)}",
        f"<b>{_('Duty station:')}</b> {_or_not_stated(posting.duty_station)}",
        f"<b>{_('Supervisor:')}</b> {_or_not_stated(posting.supervisor.describe())}",
    ]
    if posting.post_number:
        lines.append(f"<b>{_('Post number:')}</b> {esc(posting.post_number)}")
    if posting.issued:
        lines.append(f"<b>{_('Issued:')}</b> {esc(posting.issued)}")
    return "\n".join(lines)


def _requirement(label: str, block: RequirementBlock) -> str:
    """`label` is the translated heading."""
    if block.is_empty:
        return f"<b>{_('{label}:').format(label=label)}</b> {_not_stated()}"
    parts = [f"<b>{label}</b>"]
    if block.minimum:
        parts.append(f"<u>{_('Minimum:')}</u> {esc(block.minimum.strip())}")
    if block.desirable:
        parts.append(f"<u>{_('Desirable:')}</u> {esc(block.desirable.strip())}")
    return "\n".join(parts)


def format_posting_section(posting: Posting, section: Section) -> str:
    """One expanded part of a posting, headed by the posting's short title."""
    if section is Section.CARD:
        return format_posting_card(posting)
    head = f"<b>{esc(posting_title(posting))}</b> — {esc(_(SECTION_TITLES[section]))}"
    body: list[str] = []
    if section is Section.DUTIES:
        if posting.duties_context:
            body.append(esc(posting.duties_context.strip()))
        body.append(_bullets(posting.duties) or _not_stated())
        if posting.key_outputs:
            body.append(f"<b>{_('Key outputs')}</b>\n{_bullets(posting.key_outputs)}")
    elif section is Section.REQUIREMENTS:
        body.append(_requirement(_("Education"), posting.education))
        body.append(_requirement(_("Experience"), posting.experience))
        body.append(_requirement(_("Skills"), posting.skills))
        if posting.competencies:
            body.append(f"<b>{_('Competencies')}</b>\n{_bullets(posting.competencies)}")
    elif section is Section.LANGUAGES:
        body.append(_requirement(_("Languages"), posting.languages))
    elif section is Section.SUPERVISOR:
        sup = posting.supervisor
        # The e-mail gets a line of its own (easy to copy), so it is left out of "who".
        who = ", ".join(p for p in (sup.name, sup.role) if p) if sup.email else sup.describe()
        body.append(f"<b>{_('Supervisor:')}</b> {_or_not_stated(who)}")
        if sup.email:
            body.append(f"<b>{_('E-mail:')}</b> {esc(sup.email)}")
        if posting.supervision_method:
            body.append(f"<b>{_('How supervision works')}</b>\n"
                        f"{esc(posting.supervision_method.strip())}")
    elif section is Section.LEARNING:
        if posting.training:
            body.append(f"<b>{_('Training')}</b>\n{esc(posting.training.strip())}")
        if posting.learning:
            body.append(f"<b>{_('Learning elements')}</b>\n{_bullets(posting.learning)}")
        if not body:
            body.append(_not_stated())
    return "\n\n".join([head, *body])


# --------------------------------------------------------------------------- comparing, sharing

COMPARE_MARKS = ("1️⃣", "2️⃣", "3️⃣")
ROW_TITLES: dict[Row, str] = {
    Row.DUTY_STATION: N_("📍 Duty station"),
    Row.ORGANISATION: N_("🏛 Organisation"),
    Row.GRADE: N_("🎚 Grade"),
    Row.DURATION: N_("⏳ Duration"),
    Row.EDUCATION_MINIMUM: N_("🎓 Education (minimum)"),
    Row.EDUCATION_DESIRABLE: N_("🎓 Education (desirable)"),
    Row.YEARS: N_("💼 Years of experience"),
    Row.LANGUAGES: N_("🗣 Languages"),
    Row.SUPERVISOR: N_("👤 Supervisor"),
}
VERDICT_LABELS = {
    "eligible": N_("✅ eligible"),
    "not_eligible": N_("❌ not eligible"),
    "cannot_tell": N_("❔ cannot tell yet"),
}
_TICKS = {True: "✅ ", False: "❌ ", None: "❔ "}


def _years(cell: Cell) -> str:
    low, high = cell.min_years, cell.max_years
    if low is not None and high is not None:
        return _("{min}–{max} years").format(min=f"{low:g}", max=f"{high:g}")
    if low is not None:
        return ngettext("at least {min} year", "at least {min} years", math.ceil(low)).format(
            min=f"{low:g}")
    if high is not None:
        return ngettext("at most {max} year", "at most {max} years", math.ceil(high)).format(
            max=f"{high:g}")
    return _not_stated()


def _cell(cell: Cell, row: Row) -> str:
    tick = _TICKS[cell.met] if cell.assessed else ""
    value = _years(cell) if row is Row.YEARS else _or_not_stated(cell.text)
    return tick + value


def format_comparison(comparison: Comparison) -> str:
    """Two or three postings, one short block per requirement, each posting on its own line
    behind its number (no table: a phone is narrow). With a profile, every assessed line
    starts with ✅/❌ (❔ undecided) and the verdicts close the message."""
    marks = COMPARE_MARKS[:len(comparison.postings)]
    head = [f"<b>{_('⚖️ Comparison')}</b>"]
    head += [f"{m} <b>{esc(posting_title(p))}</b>"
             for m, p in zip(marks, comparison.postings, strict=True)]
    blocks = ["\n".join(head)]
    for row in comparison.rows:
        lines = [f"<b>{_(ROW_TITLES[row.row])}</b>"]
        if row.same_everywhere:
            lines.append(_("All: {value}").format(value=_cell(row.cells[0], row.row)))
        else:
            lines += [f"{m} {_cell(c, row.row)}" for m, c in zip(marks, row.cells, strict=True)]
        blocks.append("\n".join(lines))
    if comparison.verdicts is not None:
        lines = [f"<b>{_('With your profile')}</b>"]
        lines += [f"{m} {_(VERDICT_LABELS[v.status])}"
                  for m, v in zip(marks, comparison.verdicts, strict=True)]
        note = _("Skills are not assessed; ✅/❌ on desirable lines do not decide eligibility.")
        lines.append(f"<i>{note}</i>")
        blocks.append("\n".join(lines))
    else:
        hint = _("Save your profile with /profile to see ✅/❌ for each requirement.")
        blocks.append(f"<i>{hint}</i>")
    return "\n\n".join(blocks)


def format_compare_picker(picked: int) -> str:
    return "\n".join([
        f"<b>{_('⚖️ Compare postings')}</b>",
        _("Pick two or three postings, then press Compare."),
        ngettext("{count} picked.", "{count} picked.", picked).format(count=picked),
    ])


def format_inline_description(posting: Posting) -> str:
    """The grey line under an inline result's title: plain text, so no escaping."""
    station = posting.duty_station.strip() or _(NOT_STATED)
    grade = posting.grade.strip() or _(NOT_STATED)
    return _("{station} · grade {grade}").format(station=station, grade=grade)


def format_shared_card(posting: Posting) -> str:
    """The card a posting is shared as (inline mode): the card and a pointer to the bot."""
    return (format_posting_card(posting) + "\n\n"
            + f"<i>{_('Open it in the bot for duties, requirements and more.')}</i>")


def format_link_problem(status: str) -> str:
    if status == "stale":
        return _("This posting is no longer available: it was removed or replaced. Send "
                 "/postings for the current list.")
    return _("This link is not valid (it does not name a posting). Send /postings to browse "
             "the postings.")


# --------------------------------------------------------------------------- admin: postings


def format_file_too_large(name: str, size: int, limit: int) -> str:
    return _("❌ {name} is {size} bytes; the limit is {limit} bytes. Nothing was changed."
             ).format(name=esc(name), size=number(size), limit=number(limit))


def format_unsupported_upload(name: str, supported: Iterable[str]) -> str:
    return _("❌ I can't read {name}: postings must be {types} files. Nothing was changed."
             ).format(name=esc(name), types=esc(", ".join(supported)))


def format_upload_rejected(reason: str) -> str:
    return f"❌ {esc(reason)}\n{_('Nothing was changed.')}"


def format_download_failed(name: str) -> str:
    return _("❌ I could not download {name} from Telegram; please send it again.").format(
        name=esc(name))


def format_remove_failed(reason: str) -> str:
    return f"❌ {esc(reason)}\n" + _("Nothing was changed; a /reindex brings the index in line "
                                    "with the corpus folder.")


def format_field_report(posting: Posting) -> str:
    """Which key fields the parser found and which it did not, so that an admin sees a bad
    parse before confirming."""
    found, missing = posting.field_report()
    lines = [_("✅ Found: {fields}").format(
        fields=esc(", ".join(_(FIELD_NAMES[f]) for f in found)) or "—")]
    if missing:
        lines.append(_("⚠️ Not found: {fields}").format(
            fields=esc(", ".join(_(FIELD_NAMES[f]) for f in missing))))
    return "\n".join(lines)


def format_upload_preview(posting: Posting, name: str) -> str:
    return "\n\n".join([
        _("📄 <b>New posting</b> from {name}:").format(name=esc(name)),
        format_posting_card(posting),
        format_field_report(posting),
        _("Add it to the postings? It is answered from as soon as the index is updated."),
    ])


def _change_lines(report: IndexReport) -> list[str]:
    return [
        _("Index updated in {seconds} s — <b>{postings}</b> postings, <b>{chunks}</b> chunks "
          "({embedded} newly embedded).").format(
            seconds=f"{report.seconds:.1f}", postings=report.postings, chunks=report.chunks,
            embedded=report.embedded),
        *(_("⚠️ Skipped: {reason}").format(reason=esc(msg)) for msg in report.skipped),
    ]


def format_posting_added(posting: Posting, report: IndexReport) -> str:
    return "\n".join([_("✅ Added <b>{title}</b> (id <code>{id}</code>).").format(
        title=esc(posting.title or posting.id), id=esc(posting.id)), *_change_lines(report)])


def format_posting_removed(posting: Posting, report: IndexReport) -> str:
    return "\n".join([_("🗑 Removed <b>{title}</b> (id <code>{id}</code>).").format(
        title=esc(posting.title or posting.id), id=esc(posting.id)), *_change_lines(report)])


def format_index_failed(action: str, error: BaseException) -> str:
    """`action` is an English msgid ("Adding the posting"), translated here."""
    return (_("❌ {action} failed; nothing was changed and the current index keeps answering."
              ).format(action=esc(_(action)))
            + f"\n<code>{esc(type(error).__name__)}: {esc(str(error)[:500])}</code>")


def format_remove_confirm(posting: Posting) -> str:
    return (f"{format_posting_card(posting)}\n\n"
            + _("🗑 Remove this posting from the corpus and the index?"))


def _posting_ids(postings: list[Posting], limit: int = 40) -> str:
    lines = [
        f"• <code>{esc(p.id)}</code>"
        + (_(" — post {number}").format(number=esc(p.post_number)) if p.post_number else "")
        + f" — {esc(posting_title(p))}"
        for p in postings[:limit]
    ]
    if len(postings) > limit:
        lines.append(_("… and {count} more (see /postings)").format(count=len(postings) - limit))
    return "\n".join(lines) or f"<i>{_('no postings are indexed')}</i>"


def format_remove_usage(postings: list[Posting]) -> str:
    return (_("Usage: <code>/remove &lt;posting id or post number&gt;</code>") + "\n\n"
            f"<b>{_('Postings')}</b>\n{_posting_ids(postings)}")


def format_unknown_posting(query: str, postings: list[Posting]) -> str:
    shown = query if len(query) <= 64 else query[:63] + "…"
    return (_("I don't know a posting with the id or post number <code>{query}</code>. "
              "Ids and post numbers are listed below (the cards in /postings show the post "
              "numbers too).").format(query=esc(shown))
            + f"\n\n<b>{_('Postings')}</b>\n{_posting_ids(postings)}")


# --------------------------------------------------------------------------- admin: stats


def format_stats(stats: FeedbackStats, postings: int) -> str:
    lines = [
        _("<b>📊 Usage</b>"),
        _("Postings indexed: <b>{count}</b>").format(count=postings),
        _("Distinct users: <b>{count}</b>").format(count=stats.users),
        _("Questions today (UTC): <b>{today}</b> (<b>{total}</b> in all)").format(
            today=stats.questions_today, total=stats.questions_total),
        _("Answered: <b>{answered}</b> · unanswered: <b>{unanswered}</b>").format(
            answered=stats.answered, unanswered=stats.unanswered),
        _("Ratings: 👍 <b>{up}</b> · 👎 <b>{down}</b>").format(
            up=stats.thumbs_up, down=stats.thumbs_down),
    ]
    if stats.recent_unanswered:
        lines.append("\n" + _("<b>Latest {count} unanswered questions</b>").format(
            count=len(stats.recent_unanswered)))
        for item in stats.recent_unanswered:
            question = " ".join(item.question.split())
            question = question if len(question) <= 300 else question[:299] + "…"
            lines.append(f"• {esc(format_timestamp(item.created_at))}: {esc(question)}")
    else:
        lines.append("\n" + _("No unanswered questions so far."))
    return "\n".join(lines)
