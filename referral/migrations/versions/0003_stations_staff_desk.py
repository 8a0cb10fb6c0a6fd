"""stations, staff users and sessions, the referral desk (routing, claims, history) and the audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('regions', sa.JSON(), nullable=True),
        sa.Column('townships', sa.JSON(), nullable=False),
        sa.Column('groups', sa.JSON(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('justice_bureau', sa.String(length=100), nullable=True),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['stations.id'], name=op.f('fk_stations_parent_id_stations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stations')),
        sa.UniqueConstraint('code', name=op.f('uq_stations_code')),
    )
    op.create_table(
        'staff_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('display_name', sa.String(length=100), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('role', sa.Enum('staff', 'admin', name='role', native_enum=False, length=16), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_staff_users_station_id_stations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
        sa.UniqueConstraint('username', name=op.f('uq_staff_users_username')),
    )
    op.create_table(
        'staff_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_user_id_staff_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_staff_sessions_token_hash')),
    )
    op.create_index(op.f('ix_staff_sessions_user_id'), 'staff_sessions', ['user_id'], unique=False)
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('township', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('groups', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('conversation', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('station_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decision_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('lookup_failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('lookup_blocked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_referrals_station_id'), ['station_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_referrals_station_id_stations'), 'stations', ['station_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_referrals_claimed_by_id_staff_users'), 'staff_users',
                                    ['claimed_by_id'], ['id'])
    op.create_table(
        'referral_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('from_status', sa.String(length=16), nullable=True),
        sa.Column('to_status', sa.String(length=16), nullable=True),
        sa.Column('station_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['staff_users.id'], name=op.f('fk_referral_events_actor_id_staff_users')),
        sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'],
                                name=op.f('fk_referral_events_referral_id_referrals'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_referral_events_station_id_stations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_events')),
    )
    op.create_index(op.f('ix_referral_events_referral_id'), 'referral_events', ['referral_id'], unique=False)
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=200), nullable=True),
        sa.Column('client', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_audit_log_referral_id_referrals'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_audit_log_user_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index(op.f('ix_referral_events_referral_id'), table_name='referral_events')
    op.drop_table('referral_events')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referrals_claimed_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_referrals_station_id_stations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_referrals_station_id'))
        for column in ('lookup_blocked_until', 'lookup_failures', 'decision_reason', 'closed_at', 'decided_at',
                       'claimed_at', 'claimed_by_id', 'station_id', 'conversation', 'groups', 'urgent', 'township'):
            batch_op.drop_column(column)
    op.drop_index(op.f('ix_staff_sessions_user_id'), table_name='staff_sessions')
    op.drop_table('staff_sessions')
    op.drop_table('staff_users')
    op.drop_table('stations')
