"""webhook secrets: sealed at rest, and the replaced secret keeps signing for a day

Revision ID: e20a0d1c4a05
Revises: d20a0d1c4a04
Create Date: 2026-12-07 02:00:00

Existing secrets (stored as shown, ``whsec_...``) are sealed with the app's SECRET_KEY
(services.sealing); a downgrade opens them again.
"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

# revision identifiers, used by Alembic.
revision = 'e20a0d1c4a05'
down_revision = 'd20a0d1c4a04'
branch_labels = None
depends_on = None

PURPOSE = b"trainer webhook secrets"  # services.sealing.WEBHOOKS, fixed here for good
endpoints = sa.table('webhook_endpoints', sa.column('id', sa.Integer), sa.column('secret', sa.String))


def _rewrite(change) -> None:
    conn = op.get_bind()
    for row_id, secret in conn.execute(sa.select(endpoints.c.id, endpoints.c.secret)).all():
        if secret:
            conn.execute(
                endpoints.update().where(endpoints.c.id == row_id).values(secret=change(secret))
            )


def upgrade():
    from trainer.services import sealing

    key = str(current_app.config["SECRET_KEY"])
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column(
            'secret', existing_type=sa.String(length=100), type_=sa.String(length=255)
        )
        batch_op.add_column(sa.Column('previous_secret', sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column('previous_secret_until', sa.DateTime(timezone=True), nullable=True)
        )
    _rewrite(lambda s: s if not s.startswith("whsec_") else sealing.seal(s, PURPOSE, key))


def downgrade():
    from trainer.services import sealing

    key = str(current_app.config["SECRET_KEY"])
    _rewrite(lambda s: s if s.startswith("whsec_") else (sealing.unseal(s, PURPOSE, key) or ""))
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_column('previous_secret_until')
        batch_op.drop_column('previous_secret')
        batch_op.alter_column(
            'secret', existing_type=sa.String(length=255), type_=sa.String(length=100)
        )
