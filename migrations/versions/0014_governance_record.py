"""the governance record (walk-outs, returns and Response Policy filings) and shared seats
(a member's seat role and organisation kind)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 18:20:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('governance_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('sector', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('concern', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status_on', sa.Date(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_id', 'key')
    )
    with op.batch_alter_table('governance_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_governance_event_process_id'), ['process_id'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_kind', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('seat_role', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    # Members seated before shared seats existed hold their seat, as add_person now records them.
    op.execute("UPDATE person SET seat_role = 'holder' WHERE role = 'member' AND seat_role IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('seat_role')
        batch_op.drop_column('organisation_kind')
    with op.batch_alter_table('governance_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_governance_event_process_id'))
    op.drop_table('governance_event')
