# Sovereign Console image: build the front-end once, run non-root on one port.
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
# Fail the image build (not the first start) if the front-end does not compile.
RUN reflex export --frontend-only --no-zip --loglevel warning

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends nodejs \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 console
COPY --from=build --chown=console:console /app /app
USER 10001:10001
WORKDIR /app
ENV PATH=/app/.venv/bin:/app/.tools/node_modules/.bin:$PATH \
    CONSOLE_APP_DIR=/app CONSOLE_PORT=3000 \
    REFLEX_USE_SYSTEM_BUN=1 REFLEX_TELEMETRY_ENABLED=false
EXPOSE 3000
ENTRYPOINT ["console", "run"]
