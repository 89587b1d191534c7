"""the limits of following a process: a digest of the address each follow came from
(``citizen_contact.source_digest``, private, erased with the contact)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 22:10:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('citizen_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('citizen_contact', schema=None) as batch_op:
        batch_op.drop_column('source_digest')
