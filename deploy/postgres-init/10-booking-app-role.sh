#!/bin/sh
# Run by the postgres image once, when its data volume is first created: the role the app connects as
# (DATABASE_URL). It owns nothing; `flask db upgrade`, run as the owner (MIGRATION_DATABASE_URL), grants it
# the rows of the app's tables, and of the audit log only INSERT and SELECT.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     --set app_password="$BOOKING_APP_PASSWORD" <<'SQL'
CREATE ROLE booking_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
SQL
