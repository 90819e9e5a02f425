-- Recommendations: papers a reader marked "not interested" (negatives of the recommender;
-- never shown again on their "For you" page).
CREATE TABLE dismissals (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, paper_id)
) WITHOUT ROWID;
