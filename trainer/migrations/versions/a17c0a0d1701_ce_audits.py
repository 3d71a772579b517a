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

HOLDER_RESULTS = "'requested', 'submitted', 'passed', 'failed', 'no_response'"
OUTCOMES = "'none', 'conditions', 'suspension', 'revocation'"


def upgrade():
    op.create_table('ce_audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction', sa.String(length=8), nullable=False),
    sa.Column('program_id', sa.String(length=64), nullable=True),
    sa.Column('renewed_from', sa.Date(), nullable=False),
    sa.Column('renewed_to', sa.Date(), nullable=False),
    sa.Column('percent', sa.Float(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_noticed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_ce_audits_status')),
    sa.CheckConstraint("result IS NULL OR result IN ('passed', 'failed')", name=op.f('ck_ce_audits_result')),
    sa.CheckConstraint('percent >= 1 AND percent <= 100', name=op.f('ck_ce_audits_percent')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_ce_audits_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ce_audits_created_by_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_ce_audits_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_audits'))
    )
    with op.batch_alter_table('ce_audits', schema=None) as batch_op:
        batch_op.create_index('ix_ce_audits_jurisdiction_created_at', ['jurisdiction', 'created_at'], unique=False)

    op.create_table('ce_audit_holders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.String(length=12), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('outcome_text', sa.Text(), nullable=True),
    sa.Column('outcome_until', sa.Date(), nullable=True),
    sa.CheckConstraint(f"result IS NULL OR result IN ({HOLDER_RESULTS})", name=op.f('ck_ce_audit_holders_result')),
    sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f('ck_ce_audit_holders_outcome')),
    sa.ForeignKeyConstraint(['audit_id'], ['ce_audits.id'], name=op.f('fk_ce_audit_holders_audit_id_ce_audits')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_ce_audit_holders_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ce_audit_holders_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_audit_holders')),
    sa.UniqueConstraint('audit_id', 'certificate_id', name=op.f('uq_ce_audit_holders_audit_id_certificate_id'))
    )
    with op.batch_alter_table('ce_audit_holders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ce_audit_holders_user_id'), ['user_id'], unique=False)

    op.create_table('ce_audit_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('ce_entry_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('content_type', sa.String(length=40), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decision', sa.String(length=12), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("decision IS NULL OR decision IN ('accepted', 'not_accepted')", name=op.f('ck_ce_audit_items_decision')),
    sa.ForeignKeyConstraint(['ce_entry_id'], ['ce_entries.id'], name=op.f('fk_ce_audit_items_ce_entry_id_ce_entries')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_ce_audit_items_decided_by_id_users')),
    sa.ForeignKeyConstraint(['holder_id'], ['ce_audit_holders.id'], name=op.f('fk_ce_audit_items_holder_id_ce_audit_holders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_audit_items')),
    sa.UniqueConstraint('holder_id', 'ce_entry_id', name=op.f('uq_ce_audit_items_holder_id_ce_entry_id')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_ce_audit_items_stored_name'))
    )
    with op.batch_alter_table('ce_audit_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ce_audit_items_holder_id'), ['holder_id'], unique=False)

    op.create_table('ce_audit_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('7_days', '1_day', 'overdue')", name=op.f('ck_ce_audit_notices_stage')),
    sa.ForeignKeyConstraint(['holder_id'], ['ce_audit_holders.id'], name=op.f('fk_ce_audit_notices_holder_id_ce_audit_holders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_audit_notices')),
    sa.UniqueConstraint('holder_id', 'stage', name=op.f('uq_ce_audit_notices_holder_id_stage'))
    )


def downgrade():
    op.drop_table('ce_audit_notices')
    with op.batch_alter_table('ce_audit_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ce_audit_items_holder_id'))
    op.drop_table('ce_audit_items')
    with op.batch_alter_table('ce_audit_holders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ce_audit_holders_user_id'))
    op.drop_table('ce_audit_holders')
    with op.batch_alter_table('ce_audits', schema=None) as batch_op:
        batch_op.drop_index('ix_ce_audits_jurisdiction_created_at')
    op.drop_table('ce_audits')
