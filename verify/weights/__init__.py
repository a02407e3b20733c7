"""Model weights built offline: the e5 rebuild, the judge artifact, quantisation."""
