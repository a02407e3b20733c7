"""Optional execution engines for work beyond one process (Ray); the default path needs none of them."""
