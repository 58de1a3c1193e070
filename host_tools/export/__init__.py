"""Exports of pulled session logs (CSV, JSON, FIT activities) and plans (FIT workouts)."""


class ExportError(Exception):
    """Input an export cannot represent, with a message for the user."""
