"""Ingest: turn every source (arXiv OAI-PMH, arXiv API, arXiv listing feeds, Hugging Face
daily papers, Kaggle snapshot, generic JSONL) into ``Record``s and write them to the store."""
