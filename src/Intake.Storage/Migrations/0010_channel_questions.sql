-- A channel's own questions, asked after the standard ones (docs/survivor-pages.md). Admins set a
-- channel's list as a whole in both languages; each change is a ledger entry (kind 8). The
-- answers are part of the survivor's encrypted body stream, with the question as she read it.

CREATE TABLE intake.channel_questions (
    channel   text NOT NULL REFERENCES intake.channels (id),
    position  smallint NOT NULL CHECK (position BETWEEN 1 AND 10),
    label_en  text NOT NULL CHECK (length(label_en) BETWEEN 1 AND 300),
    label_zh  text NOT NULL CHECK (length(label_zh) BETWEEN 1 AND 300),
    PRIMARY KEY (channel, position)
);

GRANT SELECT, INSERT, DELETE ON intake.channel_questions TO intake_app;
GRANT SELECT ON intake.channel_questions TO intake_purger;
