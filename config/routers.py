"""Send reads to a read replica and writes to the primary.

Active only when DATABASE_REPLICA_URL is set, which adds a "replica" alias to DATABASES
(see config/settings.py). Replicas lag the primary by a little, so:

- inside a transaction on the primary (`transaction.atomic()`, which the admin's change views and
  every model workflow method use) reads stay on the primary and see the transaction's own writes;
- migrations run on the primary only; the replica receives them through replication;
- objects read from either alias may be related to each other: both hold the same data.
"""

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA_DB_ALIAS not in connections:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        aliases = {DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
