import sys

from baclotrack.cli import main

sys.exit(main())
