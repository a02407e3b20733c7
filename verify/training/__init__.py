"""Training pipeline for the project's own NLI judge (see docs/judge-model-card.md)."""
