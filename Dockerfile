# The aiposts image: the API by default; the indexer with `aiposts-index ...` as command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY indexer ./indexer
COPY api ./api
COPY localnode ./localnode
RUN pip install . \
    && useradd --system --no-create-home --shell /usr/sbin/nologin aiposts \
    && mkdir -p /var/lib/aiposts && chown aiposts /var/lib/aiposts

USER aiposts
# the cursor signing key is kept here when AIPOSTS_CURSOR_KEY is unset (a volume in compose)
ENV AIPOSTS_API_HOST=0.0.0.0 \
    AIPOSTS_API_PORT=8000 \
    AIPOSTS_CACHE_DIR=/var/lib/aiposts
EXPOSE 8000
CMD ["aiposts-api"]
