"""files imported in bulk: the import, its rows' digests, and the import an input came in

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 17:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bulk_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('file_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('merkle_root', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_id', 'key')
    )
    with op.batch_alter_table('bulk_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_import_process_id'), ['process_id'], unique=False)
    op.create_table('bulk_import_digests',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('chunk', sa.Integer(), nullable=False),
    sa.Column('digests', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['bulk_import.id'], ),
    sa.PrimaryKeyConstraint('import_id', 'chunk')
    )
    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_input_import_id_bulk_import', 'bulk_import', ['import_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.drop_constraint('fk_input_import_id_bulk_import', type_='foreignkey')
        batch_op.drop_column('import_id')
    op.drop_table('bulk_import_digests')
    with op.batch_alter_table('bulk_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulk_import_process_id'))
    op.drop_table('bulk_import')
