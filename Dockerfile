# Multi-stage: build the wheel and compile catalogs, then a slim runtime as a non-root user.
# Not built in CI (no Docker engine there); see README.
FROM python:3.11-slim AS build
WORKDIR /src
# Exact versions with hashes first (a layer that changes only with the lock), then the project without deps.
COPY requirements.lock ./
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps . \
 && /opt/venv/bin/pybabel compile -D cohortbot -d locales

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 cohortbot \
 && mkdir -p /data && chown cohortbot /data
COPY --from=build /opt/venv /opt/venv
# Compiled catalogs sit beside the installed packages (bot/i18n.py looks in ../locales).
COPY --from=build /src/locales /opt/venv/lib/python3.11/site-packages/locales
# The shipped curricula, imported at start (CURRICULUM_DIR).
COPY curriculum /opt/cohortbot/curriculum
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/cohortbot.db \
    BOT_HEARTBEAT_FILE=/data/heartbeat \
    CURRICULUM_DIR=/opt/cohortbot/curriculum
USER cohortbot
WORKDIR /home/cohortbot
VOLUME ["/data"]
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["cohortbot", "health"]
CMD ["cohortbot", "run"]
