"""audit log hash chain: seq, prev_hash, hash; audit_chain_checks

Revision ID: b20a0d1c4a01
Revises: a17c0a0d1703
Create Date: 2026-12-06 22:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b20a0d1c4a01'
down_revision = 'a17c0a0d1703'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_chain_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('head_seq', sa.Integer(), nullable=True),
    sa.Column('head_hash', sa.String(length=64), nullable=True),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_checks'))
    )
    with op.batch_alter_table('audit_chain_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_chain_checks_checked_at'), ['checked_at'], unique=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_seq'), ['seq'])


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')

    with op.batch_alter_table('audit_chain_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_chain_checks_checked_at'))

    op.drop_table('audit_chain_checks')
