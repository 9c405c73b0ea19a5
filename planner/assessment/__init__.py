"""The self-assessment: validating answers and scoring maturity per area."""
