#!/usr/bin/env bash
# Gives each service its own PostgreSQL user, limited to its own schema: it can use and create in that schema, and
# nothing in another service's schema or in public. Run once as a superuser or the database's owner with CREATEROLE:
# by the postgres image on its first start (mounted in /docker-entrypoint-initdb.d), and by the distributed tests.
#
# Environment: POSTGRES_DB (the database), ENROLLMENT_DB_PASSWORD, SCHEDULER_DB_PASSWORD, MESSAGING_DB_PASSWORD,
# ATTENDANCE_DB_PASSWORD, CONSOLE_DB_PASSWORD, and optionally SERVICE_ROLE_PREFIX (the tests' roles are unique per run).
# psql connects as libpq's PG* variables say (the image's init step: its superuser over the local socket).
# Idempotent: run again, it only sets the passwords again.
set -euo pipefail

prefix="${SERVICE_ROLE_PREFIX:-}"
database="${POSTGRES_DB:?POSTGRES_DB must name the database}"

for service in enrollment scheduler messaging attendance console; do
    password_variable="${service^^}_DB_PASSWORD"
    password="${!password_variable:?$password_variable must be set}"
    psql -X -q -v ON_ERROR_STOP=1 --dbname "$database" -v role="$prefix$service" -v schema="$service" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE SCHEMA IF NOT EXISTS %I', :'schema') \gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', :'schema') \gexec
SELECT format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', :'schema', :'role') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'role') \gexec
SQL
done

# The officers search's trigram index needs pg_trgm, which only the database's owner may create; Enrollment then finds it.
psql -X -q -v ON_ERROR_STOP=1 --dbname "$database" <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA enrollment;
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SQL
