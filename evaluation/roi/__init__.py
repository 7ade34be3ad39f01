"""Return on training (Phillips ROI): costs, benefits and their ratio per session, course,
need and branch; see ``docs/evaluation.md`` ("Return on training")."""
