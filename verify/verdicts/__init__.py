"""From judgements to a verdict: aggregation, hedges and calibration."""
