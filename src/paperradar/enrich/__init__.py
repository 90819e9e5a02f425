"""Enrichment of every paper, without a language model: keyphrases, an extracted one-line
summary, and the author rows behind author pages. Computed incrementally by
``paperradar index`` (see ``enrich.build``) and stored beside the paper."""
