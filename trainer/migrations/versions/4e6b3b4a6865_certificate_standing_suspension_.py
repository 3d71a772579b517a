"""certificate standing: suspension, conditions, event feed, employer role

Revision ID: 4e6b3b4a6865
Revises: 9ba41f0907bc
Create Date: 2026-12-06 22:18:12.612173

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '4e6b3b4a6865'
down_revision = '9ba41f0907bc'
branch_labels = None
depends_on = None

STATUS_OLD = "status IN ('review', 'active', 'revoked', 'superseded')"
STATUS_NEW = "status IN ('review', 'active', 'revoked', 'suspended', 'superseded')"
ROLE_OLD = "role IN ('admin', 'board', 'supervisor', 'trainee')"
ROLE_NEW = "role IN ('admin', 'board', 'employer', 'supervisor', 'trainee')"


def _RECREATE():
    """SQLite changes a CHECK constraint only by copying the table; PostgreSQL alters it."""
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade():
    op.create_table('certificate_conditions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_certificate_conditions_added_by_id_users')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_conditions_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_certificate_conditions_lifted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_conditions'))
    )
    with op.batch_alter_table('certificate_conditions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_conditions_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('certificate_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('jurisdiction', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('certificate.issued', 'certificate.renewed', 'certificate.suspended', 'certificate.reinstated', 'certificate.revoked', 'certificate.expired', 'certificate.condition_added')", name=op.f('ck_certificate_events_kind')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_events_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_events'))
    )
    with op.batch_alter_table('certificate_events', schema=None) as batch_op:
        batch_op.create_index('ix_certificate_events_certificate_kind', ['certificate_id', 'kind'], unique=False)
        batch_op.create_index('ix_certificate_events_undispatched', ['dispatched_at', 'id'], unique=False)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('suspended_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('suspend_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('suspended_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_certificates_suspended_by_id_users'), 'users', ['suspended_by_id'], ['id'])

    with op.batch_alter_table('certificates', schema=None, recreate=_RECREATE()) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificates_status'), type_='check')
        batch_op.create_check_constraint('status', STATUS_NEW)

    with op.batch_alter_table('user_roles', schema=None, recreate=_RECREATE()) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_roles_known_role'), type_='check')
        batch_op.create_check_constraint('known_role', ROLE_NEW)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation', sa.String(length=200), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('organisation')

    with op.batch_alter_table('user_roles', schema=None, recreate=_RECREATE()) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_roles_known_role'), type_='check')
        batch_op.create_check_constraint('known_role', ROLE_OLD)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificates_suspended_by_id_users'), type_='foreignkey')

    with op.batch_alter_table('certificates', schema=None, recreate=_RECREATE()) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificates_status'), type_='check')
        batch_op.create_check_constraint('status', STATUS_OLD)
        batch_op.drop_column('suspended_by_id')
        batch_op.drop_column('suspend_reason')
        batch_op.drop_column('suspended_until')
        batch_op.drop_column('suspended_at')

    with op.batch_alter_table('certificate_events', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_events_undispatched')
        batch_op.drop_index('ix_certificate_events_certificate_kind')

    op.drop_table('certificate_events')
    with op.batch_alter_table('certificate_conditions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_conditions_certificate_id'))

    op.drop_table('certificate_conditions')
