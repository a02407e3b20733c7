"""`verify ci`: checking a corpus of documents, with a result cache, baselines and exit codes."""
