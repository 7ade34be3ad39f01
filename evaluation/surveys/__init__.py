"""Post-session surveys (Kirkpatrick L1): templates with versions, one survey per session,
anonymous responses with a separate receipt, and the satisfaction score (``rules``)."""
