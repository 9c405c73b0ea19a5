# Planner's production image: gunicorn for web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/planner-metrics \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv \
    && useradd --create-home --uid 1000 planner

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
# Build-time only values: settings refuse to load in production without them; the
# real ones come from the environment at run time.
RUN msgfmt --check -o locale/de/LC_MESSAGES/django.mo locale/de/LC_MESSAGES/django.po \
    && SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
       DATABASE_URL=postgres://build@localhost/build ALLOWED_HOSTS=build PROMETHEUS_MULTIPROC_DIR= \
       python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /app/var && chown -R planner:planner /app/var

USER planner
EXPOSE 8000
# gunicorn.conf.py (workers, threads, timeouts, JSON access log): see its docstring.
CMD ["gunicorn", "planner.wsgi", "--config", "gunicorn.conf.py"]
