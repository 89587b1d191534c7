"""instance administrators (they create processes from the web) and their sign-in sessions; files given as
evidence of progress, stored by their SHA-256

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 18:00:00
"""
import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'instance_admin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('handle', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('password_hash', sa.String(), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('instance_admin') as batch:
        batch.create_index(batch.f('ix_instance_admin_handle'), ['handle'], unique=True)
    op.create_table(
        'admin_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('admin_id', sa.Integer(), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('seen_at', storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['admin_id'], ['instance_admin.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('admin_session') as batch:
        batch.create_index(batch.f('ix_admin_session_digest'), ['digest'], unique=True)
        batch.create_index(batch.f('ix_admin_session_admin_id'), ['admin_id'], unique=False)
    op.create_table(
        'evidence_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['process_id'], ['process.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('evidence_file') as batch:
        batch.create_index(batch.f('ix_evidence_file_process_id'), ['process_id'], unique=False)
        batch.create_index(batch.f('ix_evidence_file_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    op.drop_table('evidence_file')
    op.drop_table('admin_session')
    op.drop_table('instance_admin')
