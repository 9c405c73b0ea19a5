"""Planner: a guided 30-day adoption of sound model-deployment practice for ML teams."""

from planner.celery import app as celery_app

__all__ = ["celery_app"]
