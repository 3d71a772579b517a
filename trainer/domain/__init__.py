"""Pure rules: no Flask, no SQLAlchemy, no database. Time is always passed in."""
