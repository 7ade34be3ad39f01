"""Recorded playback: progress per learner and questions left on a recording."""

__all__: list[str] = []
