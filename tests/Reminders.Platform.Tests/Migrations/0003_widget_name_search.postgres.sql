-- PostgreSQL only (a b-tree operator class SQLite has no word for): fails if the SQLite variant's engine runs it.
CREATE INDEX widgets_name_pattern ON widgets (name text_pattern_ops);
