"""Community rules (upvotes, comments, submissions, collections, API-token quotas,
moderation): who may do what and what it returns. Knows nothing of HTTP: a refusal is a
``paperradar.community.errors.CommunityError`` that web/ turns into a status code."""
