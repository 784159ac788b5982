"""Views: plain functions, one small module per page family. Queries go through access.py,
writes through services/, numbers through adapters/."""
