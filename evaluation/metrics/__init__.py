"""Outcome metrics (Kirkpatrick level 4): definitions, imported and computed values, lift."""
