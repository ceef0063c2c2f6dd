"""Sales-pipeline manager: a gated 7-stage B2B process, its analytics and its desktop app."""

__version__ = "0.1.0"
