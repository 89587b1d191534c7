"""The tables of :class:`stages.Records`, by model: what :func:`storage.records.load_records` reads
and what ``python -m storage.plain`` writes into :mod:`storage.columns` for the quick reader."""
from __future__ import annotations

from . import models as m

#: The tables read by ``process_id``: name in ``stages.Records`` -> model.
BY_PROCESS = {
    "people": m.Person, "withdrawals": m.SectorWithdrawal, "sessions": m.SecretariatSession,
    "decisions": m.Decision, "documents": m.Document, "declarations": m.Declaration,
    "channels": m.Channel, "inputs": m.Input, "themes": m.Theme,
    "sensitization_sessions": m.SensitizationSession, "working_tables": m.WorkingTable,
    "problem_trees": m.ProblemTree, "commitments": m.Commitment, "agencies": m.Agency,
    "activities": m.Activity, "indicators": m.Indicator, "progress_reports": m.ProgressReport,
    "public_events": m.PublicEvent, "stage_changes": m.StageChange,
    "commitment_assessments": m.CommitmentAssessment, "governance_events": m.GovernanceEvent,
}


#: Tables read through another: attendance by session, votes by decision, versions by commitment.
THROUGH = {"attendance": ("sessions", m.Attendance, m.Attendance.session_id),
            "votes": ("decisions", m.Vote, m.Vote.decision_id),
            "commitment_versions": ("commitments", m.CommitmentVersion, m.CommitmentVersion.commitment_id)}


#: Every table :func:`storage.records.load_records` can read.
TABLES = tuple(BY_PROCESS) + tuple(THROUGH)
