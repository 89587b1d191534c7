"""The message of every reason the project gives for a refusal, by its stable code.

Exit criteria carry their own messages (``stages/<stage>.py``), and so do the compliance rules.
Messages are English ids translated through ``i18n`` (Spanish in ``i18n/locale/es``); a field
written ``{field:kind}`` shows a code by its name (:mod:`stages.vocabulary`).
"""
from __future__ import annotations

from i18n import N_, NN_, Msg

MESSAGES: dict[str, Msg] = {
    # input
    "not_found": N_("Not found: {kind:thing} '{key}'."),
    "unknown_action": N_("There is no action '{name}'. Actions: {known}."),
    "bad_file": N_("The file could not be read: {problem}."),
    "options_together": N_("These options go together; give all of them: {options}."),
    "bad_file_not_a_list": N_("The file must hold a list of actions."),
    "bad_file_item": N_("Item {item} of the file must say 'action' and 'actor'."),
    "refusal_expected": N_("Item {item} should have been refused ({expected}), but it was applied."),
    "idempotency_key_reused": N_("The idempotency key '{key}' was already used by another item (entry {seq} of "
                                 "{process}); a key names one item: give this one its own."),
    "duplicate_key": N_("There is already {kind:thing} with key '{key}'."),
    "no_dry_run": N_("{action:action} cannot be tried without applying it (it has no dry run)."),
    # files imported in bulk (import_inputs)
    "in_row": N_("Row {row}: {problem}"),
    "more_bad_rows": NN_("... and {count} more row with problems (the file is refused whole).",
                         "... and {count} more rows with problems (the file is refused whole).", count="count"),
    "import_columns_unknown": N_("The file has columns this import does not take: {columns}. It takes: {known}."),
    "import_columns_missing": N_("The file lacks the required columns: {columns}."),
    "import_empty_file": N_("The file is empty: its first row must name the columns."),
    "input_not_hidden": N_("Input '{input}' is not hidden: there is nothing to show again."),
    "input_not_imported": N_("Input '{input}' did not come in an imported file: there is no file to prove it in."),
    "input_not_provable": N_("Input '{input}' no longer holds the values it was imported with in {file} (its "
                             "contact data was erased): its row cannot be found among the file's digests."),
    "import_row_too_long": N_("The row has {cells} cells, more than the {columns} columns its first row names."),
    "sheet_format_unknown": N_("'{name}': a file of this kind cannot be read or written; formats: {formats} "
                               "(told by the file name's ending)."),
    "import_key_conflict": N_("Input '{key}' is already recorded with other content; an import "
                              "adds new inputs and never changes one."),
    "time_in_future": N_("The action's time ({at}) is later than now ({now}); future events are not recorded."),
    "time_goes_backwards": N_("The action's time ({at}) is before the last audit entry ({last})."),
    # who may do what
    "actor_unknown": N_("'{actor}' takes no part in the process."),
    "actor_not_allowed": N_("'{actor}' ({role:role}) may not do this: {action:action}. Who may: {allowed:role}."),
    "member_other_sector": N_("'{actor}' is a member of {actor_sector:sector}; only {sector:sector} or a coordinator may do this for {sector:sector}."),
    "sector_spokesperson_only": N_("'{actor}' is not a spokesperson of {sector:sector}: the sector's withdrawal is the sector's, said by its spokespeople ({spokespeople}) or recorded by a coordinator."),
    "vote_only_for_self": N_("Members vote only for themselves: '{actor}' cannot vote for '{member}'."),
    "voter_not_present": N_("'{actor}' is not present at session {session}."),
    "liaison_other_agency": N_("'{actor}' is the liaison of another agency; activity {activity} belongs to '{agency}'."),
    # process state
    "process_closed": N_("The process is closed; it accepts no changes."),
    "process_suspended": N_("The process is suspended (it was in the stage '{stage:stage}'); only secretariat sessions and decisions can be recorded."),
    "not_in_stage": N_("{action:action}: recorded in the stage '{allowed:stage}'; the process is in '{stage:stage}'."),
    "move_not_allowed": N_("Not possible from '{stage:stage}': {event:event}."),
    "reopen_needs_earlier_stage": N_("Only a stage before '{stage:stage}' can be reopened; '{target:stage}' is not."),
    "reason_required": N_("A written reason is required."),
    "required_sector_withdrawn": N_("Required sectors withdrawn from the secretariat: {items:sector}."),
    "sector_already_withdrawn": N_("The sector {sector:sector} has already withdrawn."),
    "sector_not_withdrawn": N_("The sector {sector:sector} has not withdrawn."),
    # sessions and decisions
    "session_closed": N_("Session {session} is closed."),
    "session_not_quorate": N_("Session {session} is not quorate: {items}."),
    "quorum_sector_missing": N_("{sector:sector} missing ({present} of {needed} present)"),
    "quorum_members_missing": N_("members missing ({present} of {needed} present)"),
    "majority_only_in_extraordinary_session": N_("A majority vote is allowed only in an extraordinary session with a written justification; session {session} is not one."),
    "extraordinary_needs_justification": N_("An extraordinary session requires a written justification."),
    "decision_not_open": N_("Decision {decision} was already taken ({status:decision_status})."),
    "final_status_needs_agreement": N_("Decision {decision} ({kind:decision_kind}) does not say why a commitment's final status differs from what its activities show: that is a general agreement of the secretariat, whose text says why."),
    "decision_kind_not_in_stage": N_("A decision to {kind:decision_kind} is not possible in the stage '{stage:stage}'."),
    "decision_stale": N_("Decision {decision} ({kind:decision_kind}) was proposed while the process was in '{proposed_in:stage}' and it is now in '{stage:stage}': the process moved since; propose it again."),
    "not_for_this_kind": N_("'{field}' means nothing for a decision to {kind:decision_kind}, so it is not accepted; besides the session, the rule and the reason, this kind of decision takes: {fields}."),
    "advance_only_to_next_stage": N_("An advance goes to the next stage only: from '{stage:stage}' that is '{next:stage}', not '{target:stage}'."),
    "decision_not_adopted": N_("Decision {decision} was not adopted ({status:decision_status}); only an adopted decision can be cited."),
    "no_commitments_to_approve": N_("There are no draft commitments to approve."),
    "commitment_agreed_needs_decision": N_("Commitment {commitment} is agreed: it changes only by a decision of the secretariat to amend it."),
    "activity_not_accepted": N_("Activity {activity} has not been accepted by its agency yet."),
    "dates_out_of_order": N_("The start date ({start}) is after the end date ({end})."),
    # the audit trail
    "audit_hash_mismatch": N_("Audit of {process}: entry {seq} was altered (its hash does not match)."),
    "audit_link_broken": N_("Audit of {process}: entry {seq} does not link to the previous one."),
    "audit_sequence_gap": N_("Audit of {process}: expected entry {expected}, found {seq} (entries missing or added)."),
    "audit_head_mismatch": N_("Audit of {process}: the process says its chain ends at entry {seq}, but the chain ends at entry {last} (entries removed, or the process row edited)."),
    "audit_chain_empty": N_("Audit of {process}: its audit trail has no entries at all, though every process begins with the entry of its creation (its row says {seq}): the trail was deleted."),
    "audit_process_missing": N_("Audit of {process}: the process is gone (its row was deleted around the actions), but its audit trail remains, up to entry {seq}."),
    "audit_columns_altered": N_("Audit of {process}: the columns of entry {seq} do not match its signed body."),
    "audit_expected_missing": N_("Audit of {process}: the head published earlier, {hash}, is not in its chain: entries up to it were rewritten or removed after it was published."),
    "audit_expected_nowhere": N_("The head published earlier, {hash}, is in the chain of no process ({processes}): entries were rewritten or removed after it was published, or its process was deleted."),
    "deep_value_differs": N_("Audit of {process}: in table {table}, row {key}, column {column} is {live}, but the audit trail gives {trail}: changed around the actions."),
    "deep_row_missing": N_("Audit of {process}: in table {table}, row {key} is recorded by the audit trail but is not in the database: deleted around the actions."),
    "deep_row_extra": N_("Audit of {process}: in table {table}, row {key} is in the database but no action of the audit trail made it: added around the actions."),
    "deep_more_differences": N_("Audit of {process}: differences not listed besides these: {count}."),
    "bad_audit_hash": N_("'{value}' is not an audit head: a head is a SHA-256, 64 hexadecimal characters."),
    "replay_failed": N_("The process could not be rebuilt as of {at}: audit entry {seq} ({action:action}) could not be replayed: {problem}."),
    "bad_as_of": N_("Invalid --as-of date: '{value}' (YYYY-MM-DD or an ISO date and time)."),
    # credentials
    "credentials_only_own": N_("'{actor}' may change only their own credentials, not those of '{handle}'."),
    "credentials_nothing_to_set": N_("Give a new password, ask for a new token, revoke the token or reset the access."),
    # compliance actions
    "commitment_not_agreed": N_("Commitment {commitment} is not agreed yet: the IRM-style assessment is for the plan's commitments."),
    "assessment_empty": N_("Give at least one judgement: potential for results, potential impact or early results."),
    "previous_plan_end_required": N_("If this is not the first plan, give the date the previous plan ended."),
    "compliance_gate_lifted_only_by_decision": N_("The compliance gate is on: only a decision of the secretariat can lift it (a decision to lift the compliance gate, with its reason)."),
    "compliance_gate_already_off": N_("The compliance gate is already off."),
    "not_a_filing": N_("'{key}' is not a Response Policy filing ({kind:governance_event})."),
    "nothing_to_update": N_("Nothing changes for '{handle}': give at least one new value."),
    "nothing_to_configure": N_("No change was given (rule set, gate or settings)."),
    # settings and mail
    "bad_setting": N_("A setting cannot be used: {problem}."),
    "bad_database_url": N_("'{url}' is not a database address that can be used ({problem}); for example "
                           "sqlite:///cocrea.db or postgresql://user@host:5432/name (--db or COCREA_DATABASE_URL)."),
    "database_unreachable": N_("The database cannot be reached ({where}): {problem}. Check that the server is "
                               "running and the address (--db or COCREA_DATABASE_URL)."),
    "no_database": N_("There is no cocrea database at {where}; nothing is created to read it. Create one with "
                      "'cocrea init', or point --db or COCREA_DATABASE_URL at the right one."),
    "file_exists": N_("{path} already exists; its data is not deleted unless you give {flag}."),
    "database_not_empty": N_("The database {where} already holds data; it is not replaced unless you give {flag}."),
    "not_a_backup": N_("{path} is not a backup made by 'cocrea backup'."),
    "backup_other_database": N_("{path} is a backup of a {made_from} database; it cannot be restored into a {database} one."),
    "backup_other_schema": N_("{path} holds the schema '{schema}', but this database address reads the schema "
                              "'{current}'; give an address whose search_path is '{schema}' "
                              "(?options=-csearch_path%3D{schema})."),
    "tool_missing": N_("The program '{tool}' is needed and was not found; install it (for PostgreSQL, its client tools)."),
    "tool_failed": N_("'{tool}' failed: {problem}"),
    "bad_address": N_("'{address}' cannot be used as an email address."),
    "delivery_failed": N_("The message was not delivered: {problem}."),
}

#: What is wrong with one field of an action's input: the message of an ``invalid_field`` reason
#: (its ``problem`` detail names which).
FIELD_PROBLEMS: dict[str, Msg] = {
    "missing": N_("'{field}' is required."),
    "missing_for_role": N_("'{field}' is required for {role:role}."),
    "not_for_role": N_("'{field}' does not apply to {role:role}."),
    "missing_for_event": N_("'{field}' (or the organisation) is required for {kind:governance_event}."),
    "missing_for_status": N_("'{field}' is required once the filing is {status:filing_status}."),
    "unknown_sector": N_("'{field}': no sector '{value}' sits in the secretariat or its quorum rule."),
    "contradicts": N_("'{field}' contradicts '{other}': give one of them."),
    "unknown": N_("'{field}' is not a field of this action."),
    "too_short": NN_("'{field}' needs at least {min_length} character.",
                     "'{field}' needs at least {min_length} characters.", count="min_length"),
    "too_long": NN_("'{field}' takes at most {max_length} character.",
                    "'{field}' takes at most {max_length} characters.", count="max_length"),
    "not_a_date": N_("'{field}' is not a valid date or time: '{value}'."),
    "needs_timezone": N_("'{field}' needs a time zone (e.g. 2026-03-01T10:00-06:00): '{value}'."),
    "not_dated": N_("'{field}' cannot be given: {action:action} is done at the moment it is recorded, never dated."),
    "out_of_calendar": N_("'{field}' must be a date between {first} and {last}."),
    "not_allowed_value": N_("'{field}' does not admit this value; it admits: {expected}."),
    "not_a_number": N_("'{field}' must be a whole number."),
    "not_yes_no": N_("'{field}' must be yes or no (true/false)."),
    "number_range": N_("'{field}' is out of range: {limit}."),
    "bad_format": N_("'{field}' does not have the expected form."),
    "bad_timezone": N_("'{field}' is not a known time zone: '{value}'."),
    "invalid": N_("'{field}' is not valid."),
    "control_characters": N_("'{field}' has control characters; only text, line breaks and tabs are accepted."),
    "not_text": N_("'{field}' must be text."),
}

# credentials: who may set which secret (issue 12)
MESSAGES.update({
    "password_only_owner": N_("Only '{handle}' may choose their password; a coordinator can reset their access "
                              "instead, and they receive a one-time code to choose a new one."),
    "token_only_owner": N_("Only '{handle}' may ask for their API token: it is shown once, to its owner only."),
    "reset_by_coordinator": N_("Only a coordinator may reset someone's access."),
    "reset_access_alone": N_("Resetting the access ends the password and the token: give no password, token "
                             "or code with it."),
    "reset_code_needs_password": N_("Give the new password together with the one-time code."),
    "reset_code_invalid": N_("The code is wrong, has expired or was already used; ask the coordination for a new one."),
})

# citizens taking part on the public site (issue 11)
MESSAGES.update({
    "privacy_notice_not_accepted": N_("Read and accept the privacy notice before sending."),
    "channel_not_open_online": N_("The channel '{channel}' does not take inputs on this site today ({today}): it is "
                                  "not an online channel, or it is not open."),
    "contact_data_in_text": N_("Your text contains contact data ({kinds:contact_data}); remove it: the text is "
                               "published. To receive the response, give your email in its own field."),
    "too_many_inputs_from_address": N_("Too many inputs from this connection today (at most {limit}); try again "
                                       "tomorrow, or use another channel of the consultation."),
    "comment_period_not_open": N_("The draft commitment '{commitment}' does not take public comments today "
                                  "({today}): the period the secretariat opened is over, has not begun, or the "
                                  "commitment is no longer a draft."),
    "retention_not_over": N_("The citizens' contact data is kept {days} days after the process closes; it can be "
                             "purged from {since} (or a person's own, at any time, on their request)."),
    "too_many_inputs_from_email": N_("Too many inputs with this email today (at most {limit}); try again tomorrow."),
    "too_many_follows_from_address": N_("Too many subscriptions to follow this process from this connection today "
                                        "(at most {limit}); try again tomorrow."),
    "too_many_follows_from_email": N_("This email asked to follow the process too many times today (at most "
                                      "{limit}); check the confirmation email already sent, or try again tomorrow."),
})
