"""casework: centre heads, a flash message per staff session, the applicant's own deadline, the opposing
party, the paused and extended decision clock, the assigned provider and its deadline, the materials
checklist, how a case closed, case notes, staff documents

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 00:00:00
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flash', sa.JSON(), nullable=True))
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('opposing_party', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paused_days_left', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('materials_notice', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('extended', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('assignment_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('aid_provider_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('aid_provider_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('aid_provider_org', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('case_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('materials_received', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('closing_outcome', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_referrals_assignment_due'), ['assignment_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_applicant_deadline'), ['applicant_deadline'], unique=False)
    _fill_applicant_deadlines()
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_kind', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('uploaded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_attachments_uploaded_by_id', 'staff_users', ['uploaded_by_id'], ['id'])
    op.create_table(
        'case_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['staff_users.id']),
        sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_referral_id'), ['referral_id'], unique=False)


def _fill_applicant_deadlines() -> None:
    """The deadline the citizen told the screening (days from receipt, China date) for older referrals."""
    referrals = sa.table('referrals', sa.column('id', sa.Integer()),
                         sa.column('created_at', sa.DateTime(timezone=True)),
                         sa.column('screening_input', sa.JSON()), sa.column('applicant_deadline', sa.Date()))
    conn = op.get_bind()
    china = dt.timezone(dt.timedelta(hours=8))
    rows = conn.execute(sa.select(referrals.c.id, referrals.c.created_at, referrals.c.screening_input)
                        .where(referrals.c.screening_input.is_not(None))).all()
    for row in rows:
        days = (row.screening_input or {}).get('days_to_deadline')
        if days is None:
            continue
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.timezone.utc)
        due = created.astimezone(china).date() + dt.timedelta(days=int(days))
        conn.execute(referrals.update().where(referrals.c.id == row.id).values(applicant_deadline=due))


def downgrade() -> None:
    op.drop_table('case_notes')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint('fk_attachments_uploaded_by_id', type_='foreignkey')
        batch_op.drop_column('uploaded_by_id')
        batch_op.drop_column('document_kind')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_assignment_due'))
        batch_op.drop_index(batch_op.f('ix_referrals_applicant_deadline'))
        for column in ('closing_outcome', 'materials_received', 'case_number', 'aid_provider_org',
                       'aid_provider_name', 'aid_provider_kind', 'assigned_at', 'assignment_due', 'extended',
                       'materials_notice', 'paused_days_left', 'paused_at', 'opposing_party', 'applicant_deadline'):
            batch_op.drop_column(column)
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_column('flash')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('head')
