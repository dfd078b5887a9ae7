# Tunnelview's image (docs/deployment.md): `docker build -t tunnelview .`, then `docker compose up` with
# compose.yaml. Python packages come only from the lock file (requirements/main.txt, every file checked
# against its hash); the application runs as an unprivileged user.

# ---- build: the locked packages and Tunnelview itself, in a virtualenv copied to the final image ----
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# `--build-arg WITH_CHROMIUM=1` adds playwright (requirements/chromium.txt, locked at the same versions),
# the Python side of TUNNELVIEW_PDF_RENDERER=chromium; Debian's chromium is added in the run stage.
ARG WITH_CHROMIUM=0
WORKDIR /src
COPY requirements/main.txt requirements/chromium.txt requirements/
RUN python -m venv /opt/tunnelview \
 && /opt/tunnelview/bin/pip install --require-hashes -r requirements/main.txt \
      $([ "$WITH_CHROMIUM" = 1 ] && echo -r requirements/chromium.txt)
COPY pyproject.toml README.md ./
COPY workflow workflow
COPY findings findings
COPY api api
COPY templates templates
# Built by the locked hatchling, without its dependencies (all of them are already installed, hashed).
RUN /opt/tunnelview/bin/pip install --no-deps --no-build-isolation .

# ---- run ----------------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
# WeasyPrint's libraries (PDF reports): Pango, HarfBuzz's subsetter and a font (scripts/system-packages.sh).
# `--build-arg WITH_CHROMIUM=1` adds Debian's chromium for TUNNELVIEW_PDF_RENDERER=chromium (with
# playwright from the build stage: docs/deployment.md, "PDF with Chromium"); without it the image stays
# as it was.
ARG WITH_CHROMIUM=0
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
      $([ "$WITH_CHROMIUM" = 1 ] && echo chromium) \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /srv/tunnelview --create-home tunnelview
COPY --from=build /opt/tunnelview /opt/tunnelview
# MALLOC_ARENA_MAX: two malloc arenas a process instead of 8 a core (docs/deployment.md, "Memory").
ENV PATH=/opt/tunnelview/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    TUNNELVIEW_HOST=0.0.0.0 \
    TUNNELVIEW_PORT=8000 \
    TUNNELVIEW_WORKERS=2 \
    TUNNELVIEW_LOG_FORMAT=json
USER tunnelview
WORKDIR /srv/tunnelview
EXPOSE 8000
# Healthy when ready to serve: the database answers and is migrated (GET /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/readyz' % os.environ['TUNNELVIEW_PORT'], timeout=4)"
CMD ["tunnelview", "serve"]
