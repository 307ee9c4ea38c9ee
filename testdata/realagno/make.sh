#!/usr/bin/env bash
# make.sh — regenerate the real-Agno fixtures in this folder (see README.md).
#
# Real Agno 2.9.0 and 3.0.0a3 write every case into a SQLite file and a PostgreSQL database with
# /work/shared/tools/realagno (set REALAGNO to that folder if it lives elsewhere), AgentOS's REST
# router records its answers over each, and the PostgreSQL rows are dumped as SQL. Run as root
# (pg.sh runs PostgreSQL as the OS user postgres). The tests never run this: they read the
# committed results.
#
# Usage: testdata/realagno/make.sh            all four cases
set -euo pipefail
T=${REALAGNO:-/work/shared/tools/realagno}
PG=postgresql+psycopg://ai@127.0.0.1:${REALAGNO_PGPORT:-55499}
cd "$(dirname "${BASH_SOURCE[0]}")"

checkpoint() { # fold Agno's WAL into the file, so it is one self-contained file
  "$T/realagno.sh" python v3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$1"
  rm -f "$1-wal" "$1-shm"
}
dump() { # database, case: schema ai as INSERTs (loadable without psql's COPY)
  "$T/pg.sh" dump "$1" --inserts > "$2/pg-dump.sql"
}

rm -rf v2 v3 mixed migrated
mkdir -p v2 v3 mixed migrated
"$T/pg.sh" start
"$T/pg.sh" reset

# v3: Agno 3.0.0a3, standard plan
"$T/realagno.sh" write v3 --db sqlite:v3/agno.db --seed 7 --manifest v3/manifest-sqlite.json
"$T/realagno.sh" truth v3 --db sqlite:v3/agno.db --out v3/truth-sqlite
"$T/realagno.sh" write v3 --db "$PG/ai" --seed 7 --manifest v3/manifest-pg.json
"$T/realagno.sh" truth v3 --db "$PG/ai" --out v3/truth-pg

# v2: Agno 2.9.0, standard plan (the legacy layout: runs inside the sessions row)
"$T/realagno.sh" write v2 --db sqlite:v2/agno.db --seed 7 --manifest v2/manifest-sqlite.json
"$T/realagno.sh" truth v2 --db sqlite:v2/agno.db --out v2/truth-sqlite
"$T/realagno.sh" write v2 --db "$PG/ai_v2" --seed 7 --manifest v2/manifest-pg.json
"$T/realagno.sh" truth v2 --db "$PG/ai_v2" --out v2/truth-pg

# mixed: Agno 2.9.0 writes, Agno 3.0.0a3 continues in the same database; the truth is Agno 3's
"$T/realagno.sh" write v2 --db sqlite:mixed/agno.db --seed 7 --plan mixed --part v2 --manifest mixed/manifest-sqlite-v2.json
"$T/realagno.sh" write v3 --db sqlite:mixed/agno.db --seed 7 --plan mixed --part v3 --manifest mixed/manifest-sqlite-v3.json
"$T/realagno.sh" truth v3 --db sqlite:mixed/agno.db --out mixed/truth-sqlite
"$T/realagno.sh" write v2 --db "$PG/ai_mixed" --seed 7 --plan mixed --part v2 --manifest mixed/manifest-pg-v2.json
"$T/realagno.sh" write v3 --db "$PG/ai_mixed" --seed 7 --plan mixed --part v3 --manifest mixed/manifest-pg-v3.json
"$T/realagno.sh" truth v3 --db "$PG/ai_mixed" --out mixed/truth-pg

# migrated: as mixed, but Agno 3 first runs its MigrationManager(db).up()
"$T/realagno.sh" write v2 --db sqlite:migrated/agno.db --seed 7 --plan mixed --part v2 --manifest migrated/manifest-sqlite-v2.json
"$T/realagno.sh" write v3 --db sqlite:migrated/agno.db --seed 7 --plan mixed --part v3 --migrate-first --manifest migrated/manifest-sqlite-v3.json
"$T/realagno.sh" truth v3 --db sqlite:migrated/agno.db --out migrated/truth-sqlite
"$T/realagno.sh" write v2 --db "$PG/ai_migrated" --seed 7 --plan mixed --part v2 --manifest migrated/manifest-pg-v2.json
"$T/realagno.sh" write v3 --db "$PG/ai_migrated" --seed 7 --plan mixed --part v3 --migrate-first --manifest migrated/manifest-pg-v3.json
"$T/realagno.sh" truth v3 --db "$PG/ai_migrated" --out migrated/truth-pg

for c in v2 v3 mixed migrated; do checkpoint "$c/agno.db"; done
dump ai v3
dump ai_v2 v2
dump ai_mixed mixed
dump ai_migrated migrated
"$T/pg.sh" stop
