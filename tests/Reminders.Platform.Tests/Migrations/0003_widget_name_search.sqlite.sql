-- SQLite only (an FTS5 virtual table PostgreSQL has no word for): fails if the PostgreSQL variant's engine runs it.
CREATE VIRTUAL TABLE widget_names USING fts5 (name, tokenize = 'trigram');
