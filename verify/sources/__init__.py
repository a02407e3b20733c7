"""Reading files and corpora: articles, evidence folders and their formats, passages."""
