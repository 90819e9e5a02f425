-- Sessions also end after a period without use (settings.session_idle_days): remember when
-- each was last seen (refreshed at most hourly, so reads stay reads).
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
UPDATE sessions SET last_seen_at = created_at;
