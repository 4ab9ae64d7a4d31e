"""Everything the bot shows is built here, as Telegram HTML.

The rule is simple: every string that comes from a user or from the corpus goes through
`esc()` before it is put next to markup, and every reply goes through `split_message()`
before it is sent, so nothing longer than Telegram's limit (or with a broken tag) leaves.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from retrieval.models import Answer, Posting, RequirementBlock

if TYPE_CHECKING:
    from retrieval.feedback import FeedbackStats
    from retrieval.indexer import IndexReport

TELEGRAM_LIMIT = 4096
# Room kept free in each chunk for the closing/reopening tags added when a split falls
# inside a tag pair (e.g. a long <blockquote>).
_TAG_RESERVE = 256
_SEPARATORS = ("\n\n", "\n", " ")
_TAG_RE = re.compile(r"<[^>]*>")
_ATOM_RE = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|.", re.DOTALL)
_TAG_NAME_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)")
NOT_STATED = "not stated"


class Section(StrEnum):
    """Parts of a posting the card can expand into (values travel in callback data)."""

    CARD = "card"
    DUTIES = "duties"
    REQUIREMENTS = "req"
    LANGUAGES = "lang"
    SUPERVISOR = "sup"
    LEARNING = "learn"


SECTION_TITLES: dict[Section, str] = {
    Section.DUTIES: "Duties",
    Section.REQUIREMENTS: "Requirements",
    Section.LANGUAGES: "Languages",
    Section.SUPERVISOR: "Supervisor & contact",
    Section.LEARNING: "Learning",
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
    parts = [esc(answer.text.strip()) or "I have no answer to that."]
    labels: list[str] = []
    for citation in answer.citations:
        if citation.label not in labels:
            labels.append(citation.label)
    if labels:
        sources = "\n".join(f"• {esc(label)}" for label in labels)
        parts.append(f"<b>Sources</b>\n{sources}")
    return "\n\n".join(parts)


def format_too_long(length: int, limit: int) -> str:
    return (
        f"Your message is {length:,} characters long; I can read questions of up to "
        f"{limit:,} characters. Please send a shorter question — one or two sentences "
        "about a posting usually work best."
    )


def format_unknown_command(command: str) -> str:
    """Names the command back (escaped: it is user text), so typos are easy to spot."""
    shown = command if len(command) <= 64 else command[:63] + "…"
    return f"Sorry, I don't know the command {esc(shown)}. See /help for what I can do."


def format_welcome(first_name: str, postings: int, last_indexed: datetime | None) -> str:
    name = f", {esc(first_name)}" if first_name else ""
    when = format_timestamp(last_indexed) if last_indexed else "not indexed yet"
    noun = "posting" if postings == 1 else "postings"
    return (
        f"Hello{name}! I answer questions about ILO Junior Professional Officer (JPO) "
        f"vacancies.\n\nI know <b>{postings}</b> {noun} (last indexed: {esc(when)}).\n\n"
        "Ask me anything in plain text — who supervises a post, where it is based, which "
        "languages it needs — or use the buttons below."
    )


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- postings


def _or_not_stated(value: str) -> str:
    return esc(value.strip()) if value and value.strip() else f"<i>{NOT_STATED}</i>"


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
    noun = "posting" if postings == 1 else "postings"
    head = f"<b>{postings} JPO {noun}</b>"
    if pages > 1:
        head += f" — page {page + 1} of {pages}"
    return f"{head}\nTap one to see its details."


def format_posting_card(posting: Posting) -> str:
    department = " / ".join(p.strip() for p in (posting.department, posting.unit) if p.strip())
    lines = [
        f"<b>{esc(posting.title or posting.id)}</b>",
        "",
        f"<b>Department / unit:</b> {_or_not_stated(department)}",
        f"<b>Grade:</b> {_or_not_stated(posting.grade)}",
        f"<b>Duration:</b> {_or_not_stated(posting.duration)}",
        f"<b>Duty station:</b> {_or_not_stated(posting.duty_station)}",
        f"<b>Supervisor:</b> {_or_not_stated(posting.supervisor.describe())}",
    ]
    if posting.post_number:
        lines.append(f"<b>Post number:</b> {esc(posting.post_number)}")
    if posting.issued:
        lines.append(f"<b>Issued:</b> {esc(posting.issued)}")
    return "\n".join(lines)


def _requirement(label: str, block: RequirementBlock) -> str:
    if block.is_empty:
        return f"<b>{label}:</b> <i>{NOT_STATED}</i>"
    parts = [f"<b>{label}</b>"]
    if block.minimum:
        parts.append(f"<u>Minimum:</u> {esc(block.minimum.strip())}")
    if block.desirable:
        parts.append(f"<u>Desirable:</u> {esc(block.desirable.strip())}")
    return "\n".join(parts)


def format_posting_section(posting: Posting, section: Section) -> str:
    """One expanded part of a posting, headed by the posting's short title."""
    if section is Section.CARD:
        return format_posting_card(posting)
    head = f"<b>{esc(posting_title(posting))}</b> — {esc(SECTION_TITLES[section])}"
    body: list[str] = []
    if section is Section.DUTIES:
        if posting.duties_context:
            body.append(esc(posting.duties_context.strip()))
        body.append(_bullets(posting.duties) or f"<i>{NOT_STATED}</i>")
        if posting.key_outputs:
            body.append(f"<b>Key outputs</b>\n{_bullets(posting.key_outputs)}")
    elif section is Section.REQUIREMENTS:
        body.append(_requirement("Education", posting.education))
        body.append(_requirement("Experience", posting.experience))
        body.append(_requirement("Skills", posting.skills))
        if posting.competencies:
            body.append(f"<b>Competencies</b>\n{_bullets(posting.competencies)}")
    elif section is Section.LANGUAGES:
        body.append(_requirement("Languages", posting.languages))
    elif section is Section.SUPERVISOR:
        sup = posting.supervisor
        # The e-mail gets a line of its own (easy to copy), so it is left out of "who".
        who = ", ".join(p for p in (sup.name, sup.role) if p) if sup.email else sup.describe()
        body.append(f"<b>Supervisor:</b> {_or_not_stated(who)}")
        if sup.email:
            body.append(f"<b>E-mail:</b> {esc(sup.email)}")
        if posting.supervision_method:
            body.append(f"<b>How supervision works</b>\n{esc(posting.supervision_method.strip())}")
    elif section is Section.LEARNING:
        if posting.training:
            body.append(f"<b>Training</b>\n{esc(posting.training.strip())}")
        if posting.learning:
            body.append(f"<b>Learning elements</b>\n{_bullets(posting.learning)}")
        if not body:
            body.append(f"<i>{NOT_STATED}</i>")
    return "\n\n".join([head, *body])


# --------------------------------------------------------------------------- admin: postings


def format_file_too_large(name: str, size: int, limit: int) -> str:
    return (f"❌ {esc(name)} is {size:,} bytes; the limit is {limit:,} bytes. "
            "Nothing was changed.")


def format_unsupported_upload(name: str, supported: Iterable[str]) -> str:
    return (f"❌ I can't read {esc(name)}: postings must be {esc(', '.join(supported))} files. "
            "Nothing was changed.")


def format_upload_rejected(reason: str) -> str:
    return f"❌ {esc(reason)}\nNothing was changed."


def format_download_failed(name: str) -> str:
    return f"❌ I could not download {esc(name)} from Telegram; please send it again."


def format_remove_failed(reason: str) -> str:
    return (f"❌ {esc(reason)}\nNothing was changed; a /reindex brings the index in line "
            "with the corpus folder.")


def format_upload_preview(posting: Posting, name: str) -> str:
    return (f"📄 <b>New posting</b> from {esc(name)}:\n\n{format_posting_card(posting)}\n\n"
            "Add it to the postings? It is answered from as soon as the index is updated.")


def _change_lines(report: IndexReport) -> list[str]:
    return [
        f"Index updated in {report.seconds:.1f} s — <b>{report.postings}</b> postings, "
        f"<b>{report.chunks}</b> chunks ({report.embedded} newly embedded).",
        *(f"⚠️ Skipped: {esc(msg)}" for msg in report.skipped),
    ]


def format_posting_added(posting: Posting, report: IndexReport) -> str:
    return "\n".join([f"✅ Added <b>{esc(posting.title or posting.id)}</b> "
                      f"(id <code>{esc(posting.id)}</code>).", *_change_lines(report)])


def format_posting_removed(posting: Posting, report: IndexReport) -> str:
    return "\n".join([f"🗑 Removed <b>{esc(posting.title or posting.id)}</b> "
                      f"(id <code>{esc(posting.id)}</code>).", *_change_lines(report)])


def format_index_failed(action: str, error: BaseException) -> str:
    return (f"❌ {esc(action)} failed; nothing was changed and the current index keeps "
            f"answering.\n<code>{esc(type(error).__name__)}: {esc(str(error)[:500])}</code>")


def format_remove_confirm(posting: Posting) -> str:
    return (f"{format_posting_card(posting)}\n\n"
            "🗑 Remove this posting from the corpus and the index?")


def _posting_ids(postings: list[Posting], limit: int = 40) -> str:
    lines = [
        f"• <code>{esc(p.id)}</code>"
        + (f" — post {esc(p.post_number)}" if p.post_number else "")
        + f" — {esc(posting_title(p))}"
        for p in postings[:limit]
    ]
    if len(postings) > limit:
        lines.append(f"… and {len(postings) - limit} more (see /postings)")
    return "\n".join(lines) or "<i>no postings are indexed</i>"


def format_remove_usage(postings: list[Posting]) -> str:
    return ("Usage: <code>/remove &lt;posting id or post number&gt;</code>\n\n"
            f"<b>Postings</b>\n{_posting_ids(postings)}")


def format_unknown_posting(query: str, postings: list[Posting]) -> str:
    shown = query if len(query) <= 64 else query[:63] + "…"
    return (f"I don't know a posting with the id or post number <code>{esc(shown)}</code>. "
            "Ids and post numbers are listed below (the cards in /postings show the post "
            f"numbers too).\n\n<b>Postings</b>\n{_posting_ids(postings)}")


# --------------------------------------------------------------------------- admin: stats


def format_stats(stats: FeedbackStats, postings: int) -> str:
    lines = [
        "<b>📊 Usage</b>",
        f"Postings indexed: <b>{postings}</b>",
        f"Distinct users: <b>{stats.users}</b>",
        f"Questions today (UTC): <b>{stats.questions_today}</b> "
        f"(<b>{stats.questions_total}</b> in all)",
        f"Answered: <b>{stats.answered}</b> · unanswered: <b>{stats.unanswered}</b>",
        f"Ratings: 👍 <b>{stats.thumbs_up}</b> · 👎 <b>{stats.thumbs_down}</b>",
    ]
    if stats.recent_unanswered:
        lines.append(f"\n<b>Latest {len(stats.recent_unanswered)} unanswered questions</b>")
        for item in stats.recent_unanswered:
            question = " ".join(item.question.split())
            question = question if len(question) <= 300 else question[:299] + "…"
            lines.append(f"• {esc(format_timestamp(item.created_at))}: {esc(question)}")
    else:
        lines.append("\nNo unanswered questions so far.")
    return "\n".join(lines)
