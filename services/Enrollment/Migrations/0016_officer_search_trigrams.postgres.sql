-- The officers list searches search_text with LIKE '%fragment%', which no b-tree serves: over 100,000 officers every search
-- read the whole table. A trigram index serves that LIKE as written (search_text is already lower case without accents).
-- pg_trgm is a trusted extension: the database's owner creates it. Its operator class is named through the schema it lives
-- in, which is this service's own unless the extension was already installed elsewhere in the database.
DO $$
DECLARE trgm_schema text;
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    SELECT extnamespace::regnamespace::text INTO trgm_schema FROM pg_extension WHERE extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX officers_search_trigrams ON officers USING gin (search_text %s.gin_trgm_ops)', trgm_schema);
END
$$;
