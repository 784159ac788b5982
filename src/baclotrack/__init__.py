"""baclotrack: measurement-based baclofen treatment of alcohol use disorder."""

__version__ = "0.1.0"
