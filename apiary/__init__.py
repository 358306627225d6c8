"""Apiary: one engine that runs governed applications from their semantic definitions."""

__version__ = "0.1.0.dev0"
