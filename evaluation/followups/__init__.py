"""Manager follow-up (Kirkpatrick L3, behaviour): N days after a session, each completer's
branch manager rates whether the learner applies what was taught."""
