"""employer rosters

Revision ID: a17c0a0d1703
Revises: a17c0a0d1702
Create Date: 2026-12-06 22:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'a17c0a0d1703'
down_revision = 'a17c0a0d1702'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
