"""Citat: attributed quotes from Swedish and English news."""

__version__ = "0.1.0"
