"""One router per feature; `all_routers()` gives them in the order they must be tried."""

from __future__ import annotations

from aiogram import Router

from bot.routers import (
    admin,
    alerts,
    compare,
    cv,
    eligibility,
    fallback,
    feedback,
    inline,
    language,
    postings,
    qa,
    uploads,
)


def all_routers() -> list[Router]:
    # Free-text questions (qa) come after every command router; the fallback router
    # (unknown commands, non-text messages, stale buttons) must stay last.
    return [
        admin.create_router(),
        uploads.create_router(),  # admins' documents: before fallback ("text only")
        cv.create_router(),  # everyone else's documents (CVs), and CV corrections typed
        feedback.create_router(),
        postings.create_router(),
        compare.create_router(),
        inline.create_router(),
        eligibility.create_router(),
        alerts.create_router(),
        language.create_router(),
        qa.create_router(),
        fallback.create_router(),
    ]
