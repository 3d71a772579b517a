"""signing keys: rotation and retirement

Revision ID: b20a0d1c4a02
Revises: b20a0d1c4a01
Create Date: 2026-12-06 22:50:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b20a0d1c4a02'
down_revision = 'b20a0d1c4a01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signing_keys',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('public_multibase', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retire_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
    sa.UniqueConstraint('number', name=op.f('uq_signing_keys_number')),
    sa.UniqueConstraint('public_multibase', name=op.f('uq_signing_keys_public_multibase'))
    )


def downgrade():
    op.drop_table('signing_keys')
