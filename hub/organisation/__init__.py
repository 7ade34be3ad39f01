"""The organisation: people, branches, teams, roles and access, the audit trail, the HR import.

The bottom layer of hub/: it imports no other layer (docs/architecture.md)."""
