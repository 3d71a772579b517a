"""supervision sessions

Revision ID: 17124c4d1df4
Revises: d1bafc768fe6
Create Date: 2026-12-06 20:34:49.232023

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '17124c4d1df4'
down_revision = 'd1bafc768fe6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=12), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('domains', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("format IN ('individual', 'group')", name=op.f('ck_supervision_sessions_format')),
    sa.CheckConstraint("mode IN ('in-person', 'video')", name=op.f('ck_supervision_sessions_mode')),
    sa.CheckConstraint('minutes > 0 AND minutes <= 480 AND minutes % 15 = 0', name=op.f('ck_supervision_sessions_minutes')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_supervision_sessions_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_supervision_sessions_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_supervision_sessions_supervisor_id_users')),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_supervision_sessions_trainee_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_sessions'))
    )
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_sessions_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_sessions_supervisor_id'), ['supervisor_id'], unique=False)



def downgrade():
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_sessions_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_sessions_enrolment_id'))

    op.drop_table('supervision_sessions')
