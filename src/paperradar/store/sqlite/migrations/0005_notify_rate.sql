-- Notify: the global mail rate limit shared by every process using this database
-- (the next free sending slot, as a Unix time).
CREATE TABLE mail_rate (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    next_at REAL NOT NULL
);
