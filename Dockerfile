FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md requirements-runtime.lock ./
COPY domain ./domain
COPY application ./application
COPY infrastructure ./infrastructure
COPY interfaces ./interfaces
# /app stays root's and read-only to the service, which writes nothing there: its key
# comes from FUNDCASE_SECRET_FILE, its data from PostgreSQL (documents' files too, with
# FUNDCASE_FILES_STORE=database; else a volume at /var/lib/fundcase/files). /run/fundcase
# is where `fundcase make-secret` keeps the key (volumes take these folders' owner).
# Every dependency is the locked version with its hash; then the project alone.
RUN pip install --require-hashes -r requirements-runtime.lock \
    && pip install --no-deps --no-build-isolation . \
    && rm -rf build ./*.egg-info \
    && groupadd --gid 10001 fundcase \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin fundcase \
    && install -d -o 10001 -g 10001 -m 0700 /run/fundcase /var/lib/fundcase/files

USER 10001:10001
EXPOSE 8000
CMD ["fundcase", "serve", "--host", "0.0.0.0", "--port", "8000"]
