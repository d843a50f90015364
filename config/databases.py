"""The DATABASES entries config/settings.py declares: one URL and the knobs it reads, in.

SQLite (development) gets WAL and a busy timeout, so the dev server and a management command can
share the file. PostgreSQL gets:

- `connect_timeout` (DB_CONNECT_TIMEOUT) and a server-side `statement_timeout`
  (DB_STATEMENT_TIMEOUT), so a slow or hung server costs a request seconds, never a worker;
- `jit=off` unless DB_JIT=1: PostgreSQL compiles any query its planner costs high, and Marquee's
  queries are short (bench/NOTES.md);
- prepared statements only with DB_PREPARE_THRESHOLD=N: psycopg then binds parameters on the
  server and prepares a statement once it has been sent N times on a connection, so PostgreSQL
  may reuse its plan (on the review page planning took longer than running). Off by default
  because it is unsafe behind a pooler that cannot keep prepared statements (PgBouncer in
  transaction mode before 1.21 or without max_prepared_statements), because server-side binding
  sends integers typed for their column (an id beyond the column's range is wrapped by psycopg,
  not refused; Marquee checks ranges before writing, other writers might not), and because a kept
  statement whose result type a migration changed fails until the app servers reload (README).
"""

from typing import Any

import dj_database_url


def database(
    url: str,
    *,
    conn_max_age: int,
    connect_timeout: int,
    statement_timeout: int,
    jit: bool,
    prepare_threshold: int,
    **extra: Any,
) -> dict[str, Any]:
    """One DATABASES entry for `url`; 0 turns a timeout or the prepare threshold off."""
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True, **extra)
    options = config.setdefault("OPTIONS", {})
    if config["ENGINE"] == "django.db.backends.sqlite3":
        options.update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    elif config["ENGINE"] == "django.db.backends.postgresql":
        if connect_timeout > 0:
            options.setdefault("connect_timeout", connect_timeout)
        server_options = [options.get("options", "")]
        if statement_timeout > 0:
            server_options.append(f"-c statement_timeout={statement_timeout * 1000}")
        if not jit:
            server_options.append("-c jit=off")
        options["options"] = " ".join(filter(None, server_options))
        if prepare_threshold > 0:
            options.update(server_side_binding=True, prepare_threshold=prepare_threshold)
    return config
