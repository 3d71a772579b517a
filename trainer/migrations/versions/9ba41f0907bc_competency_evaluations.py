"""competency evaluations

Revision ID: 9ba41f0907bc
Revises: 17124c4d1df4
Create Date: 2026-12-06 20:40:50.251850

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '9ba41f0907bc'
down_revision = '17124c4d1df4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('competency_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('ratings', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('lowest_level', sa.Integer(), nullable=False),
    sa.Column('signed_name', sa.String(length=200), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('qualification_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_competency_evaluations_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['qualification_id'], ['supervisor_qualifications.id'], name=op.f('fk_competency_evaluations_qualification_id_supervisor_qualifications')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_competency_evaluations_supervisor_id_users')),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_competency_evaluations_trainee_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_evaluations'))
    )
    with op.batch_alter_table('competency_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_evaluations_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_competency_evaluations_supervisor_id'), ['supervisor_id'], unique=False)



def downgrade():
    with op.batch_alter_table('competency_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_evaluations_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_competency_evaluations_enrolment_id'))

    op.drop_table('competency_evaluations')
