FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock ./
COPY . .
RUN pip install --no-cache-dir -c requirements.lock . \
    && DJANGO_SECRET_KEY=build STRIPE_SECRET_KEY=build STRIPE_WEBHOOK_SECRET=build \
       python manage.py collectstatic --noinput --settings=config.settings.production

ENV DJANGO_SETTINGS_MODULE=config.settings.production PYTHONUNBUFFERED=1
USER nobody
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2"]
