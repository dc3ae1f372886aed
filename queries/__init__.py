"""The reporting database: schema, migrations, engine, read queries and scope."""
