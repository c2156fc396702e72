# Two stages: build a wheel-filled virtualenv, then run it as a non-root user under gunicorn.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY calendars ./calendars
RUN python -m venv /opt/zapis \
 && /opt/zapis/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 zapis
COPY --from=build /opt/zapis /opt/zapis
WORKDIR /app
COPY migrations ./migrations
COPY gunicorn.conf.py ./
ENV PATH="/opt/zapis/bin:$PATH" FLASK_APP=service PYTHONUNBUFFERED=1
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
# Migrations are their own command: docker run IMAGE flask migrate
# Settings in ./gunicorn.conf.py (workers, threads, timeouts; workers die with the master).
CMD ["gunicorn", "service:create_app()"]
