"""The Celery worker and scheduler: `celery -A worker.celery_app worker` and `celery -A worker.celery_app beat`."""
