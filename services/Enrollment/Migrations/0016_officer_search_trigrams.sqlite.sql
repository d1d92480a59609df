-- The officers list searches search_text with LIKE '%fragment%', which no b-tree serves: over 100,000 officers every search
-- read the whole table. An FTS5 trigram index finds a fragment of 3 or more characters as a phrase of its trigrams, which
-- is exactly a substring (case_sensitive 1: search_text and the fragment are both already lower case without accents).
-- The index is contentless and keyed by officer_search_keys.key, an INTEGER PRIMARY KEY, because the officers' own rowid
-- is not stable (VACUUM renumbers the rowids of a table keyed by text).
CREATE TABLE officer_search_keys (
    key INTEGER PRIMARY KEY,
    officer_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE officer_search USING fts5 (search_text, content = '', tokenize = 'trigram case_sensitive 1');

INSERT INTO officer_search_keys (officer_id) SELECT id FROM officers ORDER BY badge;
INSERT INTO officer_search (rowid, search_text)
    SELECT k.key, o.search_text FROM officer_search_keys k JOIN officers o ON o.id = k.officer_id;

-- Every write to officers keeps the index in step (a contentless index forgets a row only when told its old text).
CREATE TRIGGER officer_search_insert AFTER INSERT ON officers BEGIN
    INSERT INTO officer_search_keys (officer_id) VALUES (new.id);
    INSERT INTO officer_search (rowid, search_text) VALUES ((SELECT key FROM officer_search_keys WHERE officer_id = new.id), new.search_text);
END;
CREATE TRIGGER officer_search_update AFTER UPDATE OF search_text ON officers WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO officer_search (officer_search, rowid, search_text)
        VALUES ('delete', (SELECT key FROM officer_search_keys WHERE officer_id = old.id), old.search_text);
    INSERT INTO officer_search (rowid, search_text) VALUES ((SELECT key FROM officer_search_keys WHERE officer_id = new.id), new.search_text);
END;
CREATE TRIGGER officer_search_delete AFTER DELETE ON officers BEGIN
    INSERT INTO officer_search (officer_search, rowid, search_text)
        VALUES ('delete', (SELECT key FROM officer_search_keys WHERE officer_id = old.id), old.search_text);
    DELETE FROM officer_search_keys WHERE officer_id = old.id;
END;
