"""The composition layer: pages that combine apps (home, My learning, My teaching, My branch,
the HQ overview) and the navigation. The only code in hub/, with hub.seeding, that may import
every app (docs/architecture.md)."""
