"""WSGI entry point: ``gunicorn baclotrack.web.wsgi``.

After Django is set up, every view is loaded (and with them matplotlib, polars and the analyses),
and the objects alive at that point are moved out of the garbage collector's sight with
:func:`gc.freeze`. They live as long as the worker. A full collection otherwise walked them all:
in a worker that had drawn charts, one took 200-270 ms and came about once every six first views
of a dashboard. Frozen, it takes about 60 ms (decision 0180).
"""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baclotrack.web.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view module now, not at the first request
gc.collect()
gc.freeze()
