"""Report pages, one module per report (thin: access, selector, render or export)."""
