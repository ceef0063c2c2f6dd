"""Alembic environment: run against the connection handed over by app.db.migrate()."""

from alembic import context

from app.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # `alembic` command line, e.g. for autogenerate
        from sqlalchemy import create_engine

        url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///:memory:"
        with create_engine(url).connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()
        return
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite ALTER TABLE support
        compare_type=True,
    )


run()
