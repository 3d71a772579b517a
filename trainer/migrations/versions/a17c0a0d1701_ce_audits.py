"""continuing-education audits

Revision ID: a17c0a0d1701
Revises: 4e6b3b4a6865
Create Date: 2026-12-06 22:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'a17c0a0d1701'
down_revision = '4e6b3b4a6865'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
