#!/usr/bin/env python3
"""The floor of a write-heavy run: the rows it wrote, inserted again by a bare loop.

    python3 bench/floor.py mark URL > marks.json        # before the run: each table's highest row
    python3 bench/floor.py measure URL marks.json N     # after it: rows written per table (and per
                                                        # one of N units of work), and the floor

URL is a SQLite file's path or a postgres:// URL. The floor: every row the run wrote, copied
into empty tables of the same columns and indexes (`floor_<table>`, dropped after), one prepared
INSERT per row, all in one transaction, committed as the server commits. What it leaves out
(the server's reads, its checks, the rows it updated rather than inserted, foreign-key checks on
PostgreSQL, triggers) is what the run costs above the floor.
"""

import json
import re
import sqlite3
import subprocess
import sys
import time


def is_postgres(url):
    return url.startswith("postgres://") or url.startswith("postgresql://")


def psql(url, sql, *extra):
    out = subprocess.run(
        ["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", *extra, "-c", sql],
        check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()


# Tables written by the server's own bookkeeping, not by the work measured.
SKIP = {"__diesel_schema_migrations", "sessions", "job_leases", "cluster_events", "login_failures"}


def pg_tables(url):
    rows = psql(url, """SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.column_name = 'id'
          AND c.data_type IN ('bigint', 'integer') ORDER BY 1""")
    return [t for t in rows.splitlines() if t and t not in SKIP and not t.startswith("floor_")]


def sqlite_tables(conn):
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                        "AND sql NOT LIKE '%WITHOUT ROWID%' ORDER BY name").fetchall()
    return [r[0] for r in rows if r[0] not in SKIP and not r[0].startswith("floor_")]


def mark(url):
    if is_postgres(url):
        return {t: int(psql(url, f'SELECT COALESCE(MAX(id), 0) FROM "{t}"') or 0) for t in pg_tables(url)}
    conn = sqlite3.connect(url)
    return {t: conn.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM "{t}"').fetchone()[0] for t in sqlite_tables(conn)}


def written(url, marks):
    counts = {}
    if is_postgres(url):
        for t, m in marks.items():
            counts[t] = int(psql(url, f'SELECT COUNT(*) FROM "{t}" WHERE id > {m}'))
    else:
        conn = sqlite3.connect(url)
        for t, m in marks.items():
            counts[t] = conn.execute(f'SELECT COUNT(*) FROM "{t}" WHERE rowid > ?', (m,)).fetchone()[0]
    return {t: n for t, n in counts.items() if n > 0}


def floor_sqlite(path, marks, tables):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    rows = {}
    for t in tables:
        ddl = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)).fetchone()[0]
        conn.execute(re.sub(r'^CREATE TABLE\s+"?' + re.escape(t) + r'"?', f'CREATE TABLE "floor_{t}"', ddl, count=1))
        for (name, sql) in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                        "AND sql IS NOT NULL", (t,)).fetchall():
            sql = re.sub(r'INDEX\s+(IF NOT EXISTS\s+)?"?' + re.escape(name) + r'"?', f'INDEX "floor_{name}"', sql, count=1)
            conn.execute(re.sub(r'\bON\s+"?' + re.escape(t) + r'"?\s*\(', f'ON "floor_{t}" (', sql, count=1))
        rows[t] = conn.execute(f'SELECT * FROM "{t}" WHERE rowid > ? ORDER BY rowid', (marks[t],)).fetchall()
    try:
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for t in tables:
            width = len(rows[t][0])
            conn.executemany(f'INSERT INTO "floor_{t}" VALUES ({", ".join("?" * width)})', rows[t])
        conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        for t in tables:
            conn.execute(f'DROP TABLE IF EXISTS "floor_{t}"')


def floor_postgres(url, marks, tables):
    script = ["\\set ON_ERROR_STOP 1"]
    for t in tables:
        psql(url, f'DROP TABLE IF EXISTS "floor_{t}"; CREATE TABLE "floor_{t}" (LIKE "{t}" INCLUDING DEFAULTS '
                  f'INCLUDING CONSTRAINTS INCLUDING INDEXES)')
        columns = psql(url, f"""SELECT string_agg(quote_ident(attname), ',' ORDER BY attnum) || '|' ||
            string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM pg_attribute
            WHERE attrelid = '"{t}"'::regclass AND attnum > 0 AND NOT attisdropped""")
        names, types = columns.split("|")
        n = len(names.split(","))
        script.append(f'PREPARE "floor_{t}_insert" ({types}) AS INSERT INTO "floor_{t}" ({names}) VALUES '
                      f'({", ".join(f"${i + 1}" for i in range(n))});')
        quoted = ", ".join(f"quote_nullable({c})" for c in names.split(","))
        script.append(psql(url, f"""SELECT string_agg('EXECUTE "floor_{t}_insert"(' || concat_ws(', ', {quoted})
            || ');', E'\\n' ORDER BY id) FROM "{t}" WHERE id > {marks[t]}"""))
    script.insert(1, "CREATE TEMP TABLE floor_clock AS SELECT clock_timestamp() AS started;")
    for i, line in enumerate(script):
        if line.startswith("EXECUTE") and not script[i - 1].startswith("EXECUTE"):
            script.insert(i, "BEGIN;")
            break
    script += ["COMMIT;", "SELECT extract(epoch FROM clock_timestamp() - started) FROM floor_clock;"]
    try:
        # Statements before the first EXECUTE (the PREPAREs) are timed too; they are few.
        out = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-f", "-"], input="\n".join(script),
                             check=True, capture_output=True, text=True)
        return float(out.stdout.strip().splitlines()[-1])
    finally:
        psql(url, "; ".join(f'DROP TABLE IF EXISTS "floor_{t}"' for t in tables))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "mark":
        json.dump(mark(sys.argv[2]), sys.stdout)
        return
    if len(sys.argv) != 5 or sys.argv[1] != "measure":
        sys.exit(__doc__)
    url, marks, units = sys.argv[2], json.load(open(sys.argv[3])), int(sys.argv[4])
    counts = written(url, marks)
    total = sum(counts.values())
    per = ", ".join(f"{t} {n / max(units, 1):.2f}" for t, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    print(f"rows inserted: {total} ({total / max(units, 1):.2f} per unit of {units}: {per})")
    if not counts:
        return
    tables = list(counts)
    seconds = floor_postgres(url, marks, tables) if is_postgres(url) else floor_sqlite(url, marks, tables)
    print(f"floor: the same {total} rows by one prepared INSERT each in one transaction: {seconds:.2f} s "
          f"({seconds * 1e6 / max(units, 1):.0f} µs per unit)")


if __name__ == "__main__":
    main()
