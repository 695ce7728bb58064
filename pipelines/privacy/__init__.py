"""Privacy jobs: erasure of data subjects and retention purges of raw data (DESIGN.md section 9)."""
