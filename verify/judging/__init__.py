"""Judges of a claim against a passage: the rule judge, the NLI judge, and their registry."""
