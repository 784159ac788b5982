"""``makemessages`` that also extracts the pure packages' marked text into the clinic's catalogue.

The pure packages (core, analysis, evidence, exchange) cannot call gettext (they never import
Django), so they mark their literals with ``baclotrack.core.i18n.N_``, or ``NC_(context, text)``
for a text with a message context (decisions 0170 and 0171). This command is Django's own, with
two additions: xgettext also knows ``N_`` and ``NC_`` as keywords, and the files of the pure
packages are scanned beside the clinic's, their messages going to the clinic's ``locale``
directory (LOCALE_PATHS). Run it as decision 0084 says: ``cd src/baclotrack/clinic && baclotrack
manage makemessages -l fr --no-location``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.commands import makemessages

import baclotrack.analysis
import baclotrack.core
import baclotrack.evidence
import baclotrack.exchange

#: The Django-free packages whose marked text the clinic shows (the Evidence page's reasons come
#: from evidence/ and analysis/meta, the dashboard's Emax reason from analysis/).
PURE_DIRS = tuple(
    Path(package.__file__ or "").resolve().parent
    for package in (baclotrack.core, baclotrack.analysis, baclotrack.evidence, baclotrack.exchange)
)
#: xgettext keywords of the core's markers: ``N_(text)`` and ``NC_(context, text)``.
CORE_KEYWORDS = ("--keyword=N_", "--keyword=NC_:1c,2")


class Command(makemessages.Command):
    # A list like Django's own attribute (which makemessages extends per run), not a ClassVar.
    xgettext_options = [*makemessages.Command.xgettext_options, *CORE_KEYWORDS]  # noqa: RUF012

    def find_files(self, root: str) -> list[Any]:
        files: list[Any] = super().find_files(root)
        if self.domain == "django":
            for directory in PURE_DIRS:
                files += super().find_files(str(directory))
        return files
