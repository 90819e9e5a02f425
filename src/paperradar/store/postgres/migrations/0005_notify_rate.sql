-- Notify: the global mail rate limit shared by every process using this database (the next
-- free sending slot, as a Unix time). The one row exists from the start, so reserving a
-- slot is a row lock (SELECT ... FOR UPDATE), never an insert race.
CREATE TABLE mail_rate (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    next_at DOUBLE PRECISION NOT NULL
);
INSERT INTO mail_rate (id, next_at) VALUES (1, 0);
