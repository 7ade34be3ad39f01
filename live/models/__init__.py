"""Live-session models: the room and its event log, Q&A, polls, hands and presence
(``room``), and recorded playback (``recordings``)."""

from live.models.recordings import *  # noqa: F403
from live.models.room import *  # noqa: F403
