"""On PostgreSQL: the pg_trgm extension and a GIN trigram index on Person.search_name, for
`contains` and word-similarity searches by name. Nothing on SQLite (the search falls back to
a scan there: correct, slower)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "registry_person_search_name_trgm"


class PostgresOnly(migrations.operations.base.Operation):
    """Runs the wrapped operation on PostgreSQL only; a no-op on any other database."""

    reduces_to_sql = False

    def __init__(self, operation):
        self.operation = operation

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operation], {})

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"On PostgreSQL only: {self.operation.describe()}"


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_person_search_keys"),
    ]

    operations = [
        # CreateExtension itself does nothing on a database other than PostgreSQL.
        TrigramExtension(),
        PostgresOnly(
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_person "
                "USING gin (search_name gin_trgm_ops)",
                f"DROP INDEX IF EXISTS {INDEX}",
            )
        ),
    ]
