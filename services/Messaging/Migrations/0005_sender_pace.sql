-- Per-sender pacing shared by every Messaging instance: the next instant each sender may send at.
CREATE TABLE sender_pace (
    sender TEXT PRIMARY KEY,
    next_slot_at {{timestamp}} NOT NULL
);
