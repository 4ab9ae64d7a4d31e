"""A tiny Telegram Bot API server for end-to-end tests.

It speaks just enough of the API for the bot (getMe, getUpdates with long polling and
offsets, sendMessage, editMessageText, answerCallbackQuery, answerInlineQuery, sendChatAction,
setMyCommands, deleteWebhook, setWebhook, getFile), records every request, and is strict where
Telegram is: invalid HTML or a text over 4096 characters gets a 400, an unchanged edit "message
is not modified", an inline answer with more than 50 results, duplicate or over-long result ids
or an invalid card a 400.
Tests push user messages and button presses as updates and wait for the bot's requests, and
can make given methods fail (`fail`): as a server without the method (404), with a reply that
is not JSON, with flood control (429 and retry_after) or with a server error (500); and make a
user have blocked the bot (`block`: every message to that chat gets Telegram's 403).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.telegram_html import HtmlError, check_html, html_to_text, tg_len

FAILURES = ("not_found", "malformed", "flood", "server_error")

BOT_ID = 4242
BOT_USERNAME = "jpo_e2e_bot"
TOKEN = f"{BOT_ID}:E2E-TEST-TOKEN"


@dataclass
class Request:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


def _parse_value(value: str) -> Any:
    """aiogram sends form fields; complex values (and numbers) arrive as JSON text."""
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclass
class Failure:
    kind: str  # one of FAILURES
    times: int | None  # None: every time
    retry_after: int = 1  # for "flood"


class FakeBotAPI:
    def __init__(self) -> None:
        self.failures: dict[str, Failure] = {}  # lower-cased method -> how it fails
        self.blocked: set[int] = set()  # chats whose user blocked the bot
        self.requests: list[Request] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, id) -> message
        self._changed = asyncio.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self.files: dict[str, bytes] = {}  # file_path -> contents (served at /file/bot…/path)
        self._file_paths: dict[str, str] = {}  # file_id -> file_path
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ------------------------------------------------------------------ server

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        form = await request.post()
        params = {k: _parse_value(v) if isinstance(v, str) else v for k, v in form.items()}
        handler = getattr(self, f"_m_{method.lower()}", None)
        await self._record(Request(method, params))
        failure = self._failure(method)
        if failure is not None:
            return failure
        if handler is None:
            return self._error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except ApiError as exc:
            return self._error(exc.code, exc.description)
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return self._error(401, "Unauthorized")
        path = request.match_info["path"]
        if path in self.files:
            return web.Response(body=self.files[path])
        if path.startswith("documents/") and not self.files:
            return web.Response(body=b"file contents")  # no files registered: the old stub
        return self._error(404, "Not Found")

    def fail(self, method: str, kind: str, *, times: int | None = None,
             retry_after: int = 1) -> None:
        """Make `method` fail as `kind` (see FAILURES), its next `times` calls or always."""
        if kind not in FAILURES:
            raise ValueError(f"unknown failure {kind!r}; one of {FAILURES}")
        self.failures[method.lower()] = Failure(kind, times, retry_after)

    def block(self, chat_id: int) -> None:
        """The user of this private chat blocks the bot: sending to it gets a 403."""
        self.blocked.add(chat_id)

    def calls(self, method: str) -> list[Request]:
        return [r for r in self.requests if r.method == method]

    def _failure(self, method: str) -> web.Response | None:
        failure = self.failures.get(method.lower())
        if failure is None or failure.times == 0:
            return None
        if failure.times is not None:
            failure.times -= 1
        if failure.kind == "not_found":
            return self._error(404, "Not Found: method not found")
        if failure.kind == "malformed":
            return web.Response(text="<html><body>Bad Gateway</body></html>",
                                content_type="text/html")
        if failure.kind == "flood":
            return web.json_response(
                {"ok": False, "error_code": 429,
                 "description": f"Too Many Requests: retry after {failure.retry_after}",
                 "parameters": {"retry_after": failure.retry_after}}, status=429)
        return self._error(500, "Internal Server Error")

    @staticmethod
    def _error(code: int, description: str) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description},
                                 status=code)

    async def _record(self, request: Request) -> None:
        async with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    # ------------------------------------------------------------------ methods

    def _me(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "JPO e2e", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": True}

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return self._me()

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        async with self._changed:
            if offset:  # confirming: updates below the offset are gone for good
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    break
            return self.updates[:limit]

    def _check_text(self, text: Any) -> str:
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        try:
            check_html(text)
        except HtmlError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
        if tg_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        text = self._check_text(params.get("text"))
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": self._chat(chat_id), "from": self._me(), "text": html_to_text(text),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = {**message, "html": text}
        return message

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        text = self._check_text(params.get("text"))
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        stored = self.messages[key]
        markup = params.get("reply_markup")
        if stored["html"] == text and stored.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same")
        stored.update(text=html_to_text(text), html=text, edit_date=int(time.time()))
        stored.pop("reply_markup", None)
        if markup:
            stored["reply_markup"] = markup
        return {k: v for k, v in stored.items() if k != "html"}

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        stored = self.messages[key]
        markup = params.get("reply_markup")
        if stored.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same")
        stored.pop("reply_markup", None)
        if markup:
            stored["reply_markup"] = markup
        return {k: v for k, v in stored.items() if k != "html"}

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_answerinlinequery(self, params: dict[str, Any]) -> Any:
        results = params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids) or any(not 0 < len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            if content.get("parse_mode") != "HTML":
                raise ApiError(400, "Bad Request: expected an HTML card")
            self._check_text(content.get("message_text"))
            for row in (result.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if not str(button.get("url", "")).startswith("https://t.me/"):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return True

    async def _m_sendchataction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        if not str(params.get("url", "")).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        return True

    async def _m_getfile(self, params: dict[str, Any]) -> Any:
        file_id = str(params["file_id"])
        path = self._file_paths.get(file_id)
        if path is not None:
            return {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                    "file_size": len(self.files[path]), "file_path": path}
        if self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": "u1", "file_size": 13,
                "file_path": f"documents/{file_id}.txt"}

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": "JPO applicants"}

    # ------------------------------------------------------------------ test side

    def update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A new update (with the next update id), as getUpdates or a webhook delivers it."""
        return {"update_id": next(self._update_ids), kind: payload}

    async def push(self, kind: str, payload: dict[str, Any]) -> int:
        update = self.update(kind, payload)
        async with self._changed:
            self.updates.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    async def send_text(self, text: str, *, user_id: int, chat_id: int | None = None) -> int:
        """A user writes `text`; returns the index of the first request that can answer it."""
        mark = len(self.requests)
        await self.push("message", self.text_message(text, user_id=user_id, chat_id=chat_id))
        return mark

    def text_message(self, text: str, *, user_id: int,
                     chat_id: int | None = None) -> dict[str, Any]:
        """The message a user writing `text` sends, as Telegram describes it."""
        chat_id = chat_id if chat_id is not None else user_id
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            "text": text,
        }
        # Telegram marks up commands and @mentions as entities (offsets in UTF-16 units).
        entities = [{"type": "mention", "offset": _utf16(text[:m.start()]),
                     "length": _utf16(m.group(0))} for m in re.finditer(r"@\w{5,}", text)]
        if text.startswith("/"):
            entities.insert(0, {"type": "bot_command", "offset": 0,
                                "length": _utf16(text.split()[0])})
        if entities:
            message["entities"] = entities
        return message

    async def send_document(self, content: bytes, file_name: str, *, user_id: int,
                            chat_id: int | None = None, mime_type: str | None = None) -> int:
        """A user sends a file; getFile and the download URL then serve `content`. Returns
        the index of the first request that can answer it."""
        chat_id = chat_id if chat_id is not None else user_id
        file_id = f"doc{next(self._message_ids)}"
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        path = f"documents/file_{len(self.files)}.{suffix}"
        self.files[path] = content
        self._file_paths[file_id] = path
        mark = len(self.requests)
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                                    "file_name": file_name, "file_size": len(content)}
        if mime_type:
            document["mime_type"] = mime_type
        await self.push("message", {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            "document": document,
        })
        return mark

    async def press(self, message: dict[str, Any], data: str, *, user_id: int) -> tuple[int, str]:
        """A user presses the button with callback `data` under one of the bot's messages."""
        mark = len(self.requests)
        callback_id = f"cq{next(self._callback_ids)}"
        await self.push("callback_query", {
            "id": callback_id, "chat_instance": "ci", "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            "message": {k: v for k, v in message.items() if k != "html"},
        })
        return mark, callback_id

    async def inline_query(self, query: str, *, user_id: int,
                           offset: str = "") -> tuple[int, str]:
        """A user types "@bot <query>" in some chat; returns (request index, query id)."""
        mark = len(self.requests)
        query_id = f"iq{next(self._callback_ids)}"
        await self.push("inline_query", {
            "id": query_id, "query": query, "offset": offset, "chat_type": "supergroup",
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
        })
        return mark, query_id

    async def wait_for(self, predicate: Any, *, since: int = 0, timeout: float = 20.0) -> Request:
        """The first request (from index `since`) matching `predicate`."""
        async def find() -> Request:
            async with self._changed:
                while True:
                    for request in self.requests[since:]:
                        if predicate(request):
                            return request
                    await self._changed.wait()
        return await asyncio.wait_for(find(), timeout)

    async def replies(self, chat_id: int, *, since: int, timeout: float = 20.0,
                      quiet: float = 0.3) -> list[Request]:
        """All sendMessage requests to `chat_id` from `since`, once the bot has gone quiet."""
        await self.wait_for(lambda r: r.method == "sendMessage" and int(r["chat_id"]) == chat_id,
                            since=since, timeout=timeout)
        count = -1
        while True:
            found = [r for r in self.requests[since:]
                     if r.method == "sendMessage" and int(r["chat_id"]) == chat_id]
            if len(found) == count:
                return found
            count = len(found)
            await asyncio.sleep(quiet)

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        return self.messages[(chat_id, message_id)]

    def last_message(self, chat_id: int) -> dict[str, Any]:
        ids = [mid for (cid, mid) in self.messages if cid == chat_id]
        return self.messages[(chat_id, max(ids))]


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
