"""Live-session models: the room and its event log, Q&A, polls, hands and presence
(``room``), and recorded playback (``recordings``)."""

from .recordings import *  # noqa: F403
from .room import *  # noqa: F403
