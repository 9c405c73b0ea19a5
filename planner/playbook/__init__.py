"""The playbook: questionnaire, task and KPI catalogues as versioned data files."""
