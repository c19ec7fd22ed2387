#!/bin/sh
# Wait for the database, apply the migrations, then run the given channelops command.
set -eu
url="${CHANNELOPS_DATABASE_URL:?set CHANNELOPS_DATABASE_URL}"
case "$url" in
  postgresql*)
    dsn=$(printf '%s' "$url" | sed 's/^postgresql+psycopg:/postgresql:/')
    tries=0
    until pg_isready -d "$dsn" -q; do
      tries=$((tries + 1))
      [ "$tries" -ge 60 ] && { echo "database not reachable after 60 s" >&2; exit 1; }
      sleep 1
    done
    ;;
esac
channelops db upgrade
exec channelops "$@"
