"""facts in time: late inputs, acceptance letters, reasons for lower progress, justified final statuses

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('channel') as batch:
        batch.add_column(sa.Column('accepts_late', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('input') as batch:
        batch.add_column(sa.Column('late', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('activity') as batch:
        batch.add_column(sa.Column('acceptance_ref', sa.String(), nullable=True))
    with op.batch_alter_table('progress_report') as batch:
        batch.add_column(sa.Column('reason', sa.String(), nullable=False, server_default=''))
    with op.batch_alter_table('commitment') as batch:
        batch.add_column(sa.Column('final_decision_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_commitment_final_decision', 'decision', ['final_decision_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('commitment') as batch:
        batch.drop_constraint('fk_commitment_final_decision', type_='foreignkey')
        batch.drop_column('final_decision_id')
    with op.batch_alter_table('progress_report') as batch:
        batch.drop_column('reason')
    with op.batch_alter_table('activity') as batch:
        batch.drop_column('acceptance_ref')
    with op.batch_alter_table('input') as batch:
        batch.drop_column('late')
    with op.batch_alter_table('channel') as batch:
        batch.drop_column('accepts_late')
