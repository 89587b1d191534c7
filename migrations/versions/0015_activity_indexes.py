"""indexes for the reminders' reads: a process's activities by end date, an agency's by end date

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 20:40:00
"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_process_end', ['process_id', 'end_date'], unique=False)
        batch_op.create_index('ix_activity_process_agency_end', ['process_id', 'agency_id', 'end_date'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_process_agency_end')
        batch_op.drop_index('ix_activity_process_end')
