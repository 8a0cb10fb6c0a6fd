"""referrals say why they have their priority; stations mark a sample phone number

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority_reasons', sa.JSON(), nullable=True))
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_sample', sa.Boolean(), nullable=False, server_default=sa.false()))
    # The shipped config's one phone number was a sample (0870-2152348): mark it where it was seeded.
    op.execute("UPDATE stations SET phone_sample = true WHERE code = 'city' AND phone = '0870-2152348'")


def downgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('phone_sample')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('priority_reasons')
