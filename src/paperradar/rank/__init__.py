"""Ranking: the trending score and the service that ranks featured papers with it."""
