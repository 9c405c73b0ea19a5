"""Example answers of three teams: manual everything, IaC without monitoring, and mature.

Used by the golden tests, the benchmarks and the demo data.
"""

from __future__ import annotations

from typing import Any

MANUAL: dict[str, Any] = {
    "environments": "none",
    "deploy_method": "manual_copy",
    "deployments_per_month": 1,
    "lead_time_hours": 120,
    "rollback": "none",
    "iac_tool": "none",
    "iac_share_pct": 0,
    "manual_steps_per_deploy": 25,
    "drift": "unknown",
    "model_size_mb": 1800,
    "avg_latency_ms": 240,
    "p95_latency_ms": 900,
    "techniques": [],
    "serving_hardware": "gpu",
    "gpu_utilisation_pct": 18,
    "monitoring_in_place": [],
    "monitoring_stack": "none",
    "monitoring_coverage_pct": 0,
    "hours_to_detect": 72,
    "staging_parity": "no_staging",
    "model_tests": [],
    "documentation_level": "none",
    "kpis_defined": [],
    "kpi_review": "never",
    "team_size": 4,
    "hours_per_week": 6,
}

IAC_NO_MONITORING: dict[str, Any] = {
    **MANUAL,
    "environments": "dev_staging_prod",
    "deploy_method": "ci_cd",
    "deployments_per_month": 12,
    "lead_time_hours": 8,
    "rollback": "scripted",
    "iac_tool": "terraform",
    "iac_share_pct": 95,
    "manual_steps_per_deploy": 1,
    "drift": "detected",
    "model_size_mb": 350,
    "avg_latency_ms": 45,
    "p95_latency_ms": 130,
    "techniques": ["quantization"],
    "serving_hardware": "cpu",
    "cpu_utilisation_pct": 35,
    "gpu_utilisation_pct": None,
    "staging_parity": "production_like",
    "model_tests": ["unit", "performance"],
    "documentation_level": "runbooks",
    "kpis_defined": ["latency"],
    "kpi_review": "ad_hoc",
}

MATURE: dict[str, Any] = {
    **IAC_NO_MONITORING,
    "environments": "full_promotion",
    "deploy_method": "gitops",
    "deployments_per_month": 40,
    "lead_time_hours": 2,
    "rollback": "automatic",
    "drift": "prevented",
    "iac_share_pct": 100,
    "manual_steps_per_deploy": 0,
    "model_size_mb": 120,
    "avg_latency_ms": 12,
    "p95_latency_ms": 30,
    "techniques": ["pruning", "quantization", "distillation", "compilation"],
    "cpu_utilisation_pct": 62,
    "monitoring_in_place": ["metrics", "dashboards", "alerts", "logs"],
    "monitoring_stack": "prometheus_grafana",
    "monitoring_coverage_pct": 100,
    "hours_to_detect": 0.25,
    "staging_parity": "identical_iac",
    "model_tests": ["unit", "performance", "accuracy_regression", "load"],
    "documentation_level": "docs_as_code",
    "kpis_defined": ["latency", "utilisation", "model_size", "availability"],
    "kpi_review": "automated",
}

PERSONAS = {"manual": MANUAL, "iac_no_monitoring": IAC_NO_MONITORING, "mature": MATURE}
