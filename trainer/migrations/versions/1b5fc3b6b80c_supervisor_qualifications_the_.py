"""supervisor qualifications; the qualification behind each approved hour entry

Revision ID: 1b5fc3b6b80c
Revises: 6f9b975c0d16
Create Date: 2026-12-06 20:12:46.465966

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1b5fc3b6b80c'
down_revision = '6f9b975c0d16'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervisor_qualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('credential', sa.String(length=64), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('supervision_training', sa.Boolean(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_supervisor_qualifications_status')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_supervisor_qualifications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_supervisor_qualifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisor_qualifications')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_supervisor_qualifications_stored_name'))
    )
    with op.batch_alter_table('supervisor_qualifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervisor_qualifications_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('hour_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qualification_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_hour_entries_qualification_id_supervisor_qualifications'), 'supervisor_qualifications', ['qualification_id'], ['id'])



def downgrade():
    with op.batch_alter_table('hour_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_hour_entries_qualification_id_supervisor_qualifications'), type_='foreignkey')
        batch_op.drop_column('qualification_id')

    with op.batch_alter_table('supervisor_qualifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervisor_qualifications_user_id'))

    op.drop_table('supervisor_qualifications')
