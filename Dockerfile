# csbot in a container: the same two commands as the README's deployment recipe, `csbot migrate`
# then `csbot run`, as a non-root user, with Docker's health check on /healthz (HTTP mode).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY handlers ./handlers
COPY domain ./domain
COPY storage ./storage
COPY playbooks ./playbooks
COPY localslack ./localslack
COPY localcrm ./localcrm
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 csbot
COPY --from=build /install /usr/local
USER csbot
WORKDIR /home/csbot
ENV PORT=3000 PYTHONUNBUFFERED=1
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"
CMD ["sh", "-c", "csbot migrate && exec csbot run"]
