FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY booking ./booking
COPY worker ./worker
COPY migrations ./migrations
COPY gunicorn.conf.py ./
RUN useradd --create-home clinic && mkdir -p instance && chown clinic instance
USER clinic
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "booking:create_app()"]
