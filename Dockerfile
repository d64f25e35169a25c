# Sovereign Console image: the front end exported at build time; non-root, read-only root, one port.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 REFLEX_TELEMETRY_ENABLED=false REFLEX_USE_SYSTEM_BUN=1
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md rxconfig.py alembic.ini ./
COPY alembic ./alembic
COPY reflex.lock ./reflex.lock
# Only the console: the sandbox (sandbox/, its own distribution) seeds an IdP with known passwords and never ships.
COPY console ./console
COPY assets ./assets
RUN python -m venv /app/.venv && /app/.venv/bin/pip install --no-cache-dir .
WORKDIR /app/.tools
RUN npm install --no-audit --no-fund bun@1.4.5
WORKDIR /app
ENV PATH=/app/.venv/bin:/app/.tools/node_modules/.bin:$PATH
# The front end is exported here, once: a start never builds it (the root filesystem is read-only, the
# Sovereign air-gapped). The backend serves this export on whatever origin it runs (console/frontend.py).
RUN reflex export --frontend-only --no-zip --loglevel warning \
    && touch .web/.built \
    && rm -rf .web/node_modules .tools

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 console \
    && install -d -o 10001 -g 10001 /var/lib/console
# Read-only at run time: only CONSOLE_STATE_DIR (a mounted volume) and /tmp are written.
COPY --from=build /app /app
USER 10001:10001
WORKDIR /app
ENV PATH=/app/.venv/bin:$PATH \
    CONSOLE_APP_DIR=/app CONSOLE_PORT=3000 CONSOLE_STATE_DIR=/var/lib/console \
    REFLEX_TELEMETRY_ENABLED=false
EXPOSE 3000
ENTRYPOINT ["console", "run"]
