"""End to end: the real bot polling the local Bot API server (tests/support/fake_bot_api.py)
over HTTP: a user uploads a CV, sees the profile, confirms and gets every posting's verdict;
a corrupt file gets a clear message; an admin's CV is not indexed as a posting. The
conversation printed with `-s` is the one in README "CV upload"."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from tests.support.fakes import ADMIN_ID, USER_ID, corpus_copy_settings
from tests.support.hash_embeddings import HashEmbeddings
from tests.support.polling import polling_bot, sent_to
from tests.support.posting_files import BROKEN_PDF
from tests.support.telegram_html import check_html, html_to_text

pytestmark = pytest.mark.slow

CVS = Path(__file__).resolve().parents[1] / "data" / "cvs"


def keyboard(request: Any) -> dict[str, str]:
    markup = request["reply_markup"] if "reply_markup" in request.params else None
    return {b["text"]: b["callback_data"] for row in (markup or {}).get("inline_keyboard", [])
            for b in row}


async def test_e2e_cv_upload_confirm_verdicts_corrupt_file_and_admin_cv(
    tmp_path: Path,
) -> None:
    from retrieval.services import build_services
    from tests.support.fake_bot_api import TOKEN, FakeBotAPI

    api = FakeBotAPI()
    base = await api.start()
    settings = corpus_copy_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_base=base)
    corpus = settings.corpus_dir
    services = build_services(settings, embeddings=HashEmbeddings())  # type: ignore[arg-type]
    transcript: list[str] = []

    def said(who: str, text: str, buttons: dict[str, str] | None = None) -> None:
        lines = text.splitlines() or [""]
        transcript.append(f"{who} {lines[0]}")
        transcript.extend(f"   {line}" for line in lines[1:])
        if buttons:
            transcript.append("   " + "  ".join(f"[{b}]" for b in buttons))

    try:
        async with polling_bot(api, services):
            name = "12_table_en.pdf"
            said("👤", f"(sends {name}: a CV, PDF)")
            mark = await api.send_document((CVS / name).read_bytes(), "Aisha Bello CV.pdf",
                                           user_id=USER_ID, mime_type="application/pdf")
            preview = await api.wait_for(sent_to(USER_ID, "Read from your CV"), since=mark)
            shown = html_to_text(preview["text"])
            said("🤖", shown, keyboard(preview))
            assert "Advanced degree (Master's or equivalent) in public policy" in shown
            assert "3 years" in shown and "English (native)" in shown and "French (good)" in shown
            assert list(keyboard(preview)) == ["✅ Confirm", "✏️ Edit", "✖ Cancel"]

            said("👤", "(taps ✅ Confirm)")
            mark, _ = await api.press(api.last_message(USER_ID), keyboard(preview)["✅ Confirm"],
                                      user_id=USER_ID)
            done = await api.wait_for(sent_to(USER_ID, "Profile saved"), since=mark)
            verdicts = html_to_text(done["text"])
            said("🤖", verdicts)
            assert "How your profile fits the postings" in verdicts
            assert verdicts.count("\n• ") == 5
            assert "❌ Standards Policy and Development — not eligible" in verdicts
            assert "✅ vulnerable work — eligible" in verdicts
            stored = await services.profiles.get(USER_ID)
            assert stored is not None and stored.degree_field == "public policy"

            said("👤", "(sends cv.pdf: a damaged PDF)")
            mark = await api.send_document(BROKEN_PDF, "cv.pdf", user_id=USER_ID)
            broken = await api.wait_for(sent_to(USER_ID, "could not read cv.pdf"), since=mark)
            said("🤖", html_to_text(broken["text"]))

            # An admin's CV: read as a CV, never shown as a posting to add
            mark = await api.send_document((CVS / "01_chronological_en.txt").read_bytes(),
                                           "cv.txt", user_id=ADMIN_ID)
            admin = await api.wait_for(sent_to(ADMIN_ID, "Read from your CV"), since=mark)
            assert "Add posting" not in str(keyboard(admin))
            await asyncio.sleep(0.5)  # nothing else follows (no posting card)
            assert not [r for r in api.requests[mark:] if r.method == "sendMessage"
                        and "New posting" in r["text"]]
            assert len(services.catalog) == 5
            assert sorted(p.name for p in corpus.iterdir()) == sorted(
                p.name for p in CORPUS.iterdir())
            for request in api.requests:
                if request.method in ("sendMessage", "editMessageText"):
                    check_html(request["text"])
            print("\n".join(transcript))
    finally:
        await api.stop()
        await services.aclose()
