"""A local OpenAI-compatible chat server for tests: scripted replies, recorded requests.

`POST /v1/chat/completions` answers with the next scripted `Reply` (or the default one), as
one JSON body or, when the request asks for `stream`, as server-sent events
(`data: {...}\\n\\n` … `data: [DONE]\\n\\n`). Replies can be slow, fail with an HTTP status,
be malformed or empty. Condense requests (the follow-up rewriting step) are recognised and
answered separately, by default by echoing the user's latest message.

The server runs its own event loop in a background thread, so both the synchronous client
(`ChatOpenAI.invoke`) and the asynchronous one can talk to it from any test.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    delay: float = 0.0  # before the response starts
    chunk_delay: float = 0.0  # between streamed chunks
    chunk_size: int = 12  # characters per streamed chunk
    raw: str | None = None  # a body sent as is (malformed output)
    usage: tuple[int, int] = (120, 30)


@dataclass
class Request:
    body: dict[str, Any]
    headers: dict[str, str]
    received: float = field(default_factory=time.monotonic)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    def text(self, role: str | None = None) -> str:
        return "\n".join(_content(m) for m in self.messages if role is None or m["role"] == role)

    @property
    def streaming(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def is_condense(self) -> bool:
        return "Latest message:" in self.text("user")

    @property
    def question(self) -> str:
        """The text between the last <question> tags of the user message."""
        found = re.findall(r"<question>\s*(.*?)\s*</question>", self.text("user"), flags=re.S)
        return found[-1] if found else ""


def _content(message: dict[str, Any]) -> str:
    content = message.get("content", "")
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content)


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.script: list[Reply] = []
        self.default = Reply("The postings do not state this.")
        self.condense: Callable[[Request], Reply] = lambda r: Reply(r.question)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # ---- control ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reset(self, *replies: Reply, default: Reply | None = None) -> None:
        self.requests.clear()
        self.script = list(replies)
        self.default = default or Reply("The postings do not state this.")
        self.condense = lambda r: Reply(r.question)

    @property
    def answer_requests(self) -> list[Request]:
        return [r for r in self.requests if not r.is_condense]

    def start(self) -> FakeOpenAI:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            app = web.Application()
            app.router.add_post("/v1/chat/completions", self._handle)
            self._runner = web.AppRunner(app, shutdown_timeout=0.1)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            self.port = self._runner.addresses[0][1]
            ready.set()
            loop.run_forever()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake OpenAI server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._runner is not None:
            done = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
            done.result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)

    # ---- the endpoint -------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        req = Request(body, dict(request.headers))
        self.requests.append(req)
        if req.is_condense:
            reply = self.condense(req)
        else:
            reply = self.script.pop(0) if self.script else self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            kind = "rate_limit_exceeded" if reply.status == 429 else "server_error"
            return web.json_response(
                {"error": {"message": f"scripted {reply.status}", "type": kind, "code": kind}},
                status=reply.status)
        if reply.raw is not None:
            return web.Response(text=reply.raw, content_type="application/json")
        if req.streaming:
            return await self._stream(request, req, reply)
        return web.json_response(self._completion(req, reply))

    def _completion(self, req: Request, reply: Reply) -> dict[str, Any]:
        prompt, completion = reply.usage
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
            "created": int(time.time()), "model": req.body.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": reply.text}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        }

    async def _stream(self, request: web.Request, req: Request,
                      reply: Reply) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-cache"})
        await response.prepare(request)
        cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        model = req.body.get("model", "fake")

        def chunk(delta: dict[str, Any], finish: str | None = None,
                  usage: dict[str, int] | None = None) -> bytes:
            data: dict[str, Any] = {
                "id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
                "model": model,
                "choices": [] if usage else [{"index": 0, "delta": delta,
                                              "finish_reason": finish}],
            }
            if usage:
                data["usage"] = usage
            return f"data: {json.dumps(data)}\n\n".encode()

        await response.write(chunk({"role": "assistant", "content": ""}))
        text = reply.text
        for start in range(0, len(text), reply.chunk_size):
            if reply.chunk_delay:
                await asyncio.sleep(reply.chunk_delay)
            await response.write(chunk({"content": text[start:start + reply.chunk_size]}))
        await response.write(chunk({}, finish="stop"))
        if (req.body.get("stream_options") or {}).get("include_usage"):
            prompt, completion = reply.usage
            await response.write(chunk({}, usage={"prompt_tokens": prompt,
                                                   "completion_tokens": completion,
                                                   "total_tokens": prompt + completion}))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response
