"""Claims from text: splitting, atomising, claim kinds, organisations and names."""
