"""Readers of benchmark, NLI and fact-verification data, shared by evaluation and training."""
