"""Definitions split by integration (DESIGN section 12): `dlt/`, `dbt/`, `automation/`.

Python assets for ML scoring, budget suggestions and anomalies arrive in `ml/` with their
issues; reports in `reports/`.
"""
