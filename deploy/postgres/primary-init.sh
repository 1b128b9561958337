#!/bin/sh
# Run once by the postgres image on an empty data directory: let the replica stream WAL.
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
