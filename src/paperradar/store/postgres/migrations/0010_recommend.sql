-- Recommendations: papers a reader marked "not interested" (negatives of the recommender;
-- never shown again on their "For you" page). PostgreSQL 16 twin of SQLite's 0010.
CREATE TABLE dismissals (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id   TEXT COLLATE "C" NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    created_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, paper_id)
);
