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
    op.create_table('roster_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('renewed_from', sa.String(length=40), nullable=True),
    sa.Column('told_status', sa.String(length=12), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_roster_entries_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['employer_id'], ['users.id'], name=op.f('fk_roster_entries_employer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entries')),
    sa.UniqueConstraint('employer_id', 'number', name=op.f('uq_roster_entries_employer_id_number'))
    )
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entries_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('roster_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_roster_notices_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['entry_id'], ['roster_entries.id'], name=op.f('fk_roster_notices_entry_id_roster_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_notices')),
    sa.UniqueConstraint('entry_id', 'kind', 'certificate_id', name=op.f('uq_roster_notices_entry_id_kind_certificate_id'))
    )


def downgrade():
    op.drop_table('roster_notices')
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_entries_certificate_id'))

    op.drop_table('roster_entries')
