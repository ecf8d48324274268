FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY domain ./domain
COPY application ./application
COPY infrastructure ./infrastructure
COPY interfaces ./interfaces
RUN pip install . && useradd --create-home --uid 10001 fundcase

USER fundcase
EXPOSE 8000
CMD ["fundcase", "serve", "--host", "0.0.0.0", "--port", "8000"]
