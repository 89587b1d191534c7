"""Rules for the development of the action plan: consultation, reasoned response, joint approval,
and the design of the commitments.

Why one module: the rules of one phase of the standards (developing the plan: consultation,
reasoned response, joint approval, commitments), one pure function per rule sharing this
phase's items and next steps; the other phases are ``compliance/rules_cycle.py`` and
``compliance/rules_implementation.py``.
"""
from __future__ import annotations

import datetime as dt

from i18n import N_, NN_, Msg
from stages.base import empty_fields

from . import evidence as ev
from .facts import IN_PERSON_KINDS, Facts, criterion
from .model import (
    CAP,
    Item,
    Result,
    capped,
    counted,
    met,
    named,
    not_applicable,
    not_enough_data,
    not_met,
)

NO_CHANNEL = N_("No consultation channel has been opened.")
OPEN_CHANNEL = N_("Open the consultation channels ('{action:action}').")
OPEN = "open_channel"
PUBLISH = "publish_document"
#: What is missing when there is no channel of some sort.
ONLINE = Item("channel", "online", name=N_("an online channel"))
IN_PERSON = Item("channel", "in_person", name=N_("an in-person channel"))
FOR_EXCLUDED = Item("channel", "excluded_groups", name=N_("a channel aimed at excluded groups"))
OPEN_TO_ALL = Item("channel", "open_to_all", name=N_("an activity open to anyone"))


def timeline_notice(f: Facts) -> Result:
    days = f.s["timeline_notice_days"]
    if not f.r.channels:
        return not_applicable(N_("No consultation activity is scheduled yet."),
                              days=days)
    opens = [c.opens_on for c in f.r.channels if c.opens_on]
    if not opens:
        return not_enough_data(N_("No channel has an opening date: when the consultation starts is unknown."),
                               missing=[ev.channel(c) for c in f.r.channels], days=days,
                               next_step=N_("Record each channel's opening date."))
    first = min(opens)
    deadline = first - dt.timedelta(days=days)
    details = dict(days=days, first=first.isoformat(), due=deadline.isoformat(), action=PUBLISH, kind="timeline")
    timelines = f.docs("timeline")
    on_time = [d for d in timelines if f.day(d.published_at) <= deadline]
    step = N_("Publish the timeline and ways to take part ('{action:action}', kind '{kind:document_kind}') by {due}.")
    if on_time:
        return met(N_("The timeline was published on {date}, {days} or more days before the first activity ({first})."),
                   evidence=[ev.document(f, d) for d in on_time], date=f.iso(on_time[0].published_at), **details)
    if f.today <= deadline:
        return not_applicable(N_("The timeline is not published yet; it is due by {due}."), next_step=step, **details)
    return not_met(N_("The timeline was not published {days} days before the first activity ({first})."),
                   evidence=[ev.document(f, d) for d in timelines], missing=[ev.wanted_document("timeline", deadline.isoformat())],
                   final=True, **details)


def outreach(f: Facts) -> Result:
    need = f.s["outreach_min_activities"]
    end = f.consultation_end
    docs = [d for d in f.docs("outreach") if end is None or f.day(d.published_at) <= end]
    details = dict(need=need, count=len(docs), end=end.isoformat() if end else "-", action=PUBLISH, kind="outreach")
    step = N_("Record the consultation's outreach activities ('{action:action}', kind '{kind:document_kind}').")
    if len(docs) >= need:
        return met(NN_("{count} outreach activity before the consultation closed (at least {need}).",
                       "{count} outreach activities before the consultation closed (at least {need})."),
                   evidence=[ev.document(f, d) for d in docs], **details)
    undated = [d for d in f.undated_docs if d.kind == "outreach"]
    if undated:
        return not_enough_data(N_("Some outreach activities are undated."),
                               missing=[Item("document", d.key) for d in undated], next_step=step, **details)
    return not_met(NN_("Only {count} outreach activity before the consultation closed; {need} required.",
                       "Only {count} outreach activities before the consultation closed; {need} required."),
                   missing=[ev.wanted_document("outreach")], next_step=step, **details)


def channels(f: Facts) -> Result:
    chs = f.r.channels
    if not chs:
        return not_met(NO_CHANNEL, missing=[ONLINE, IN_PERSON], next_step=OPEN_CHANNEL, action=OPEN)
    online = [c for c in chs if c.online or c.kind == "online"]
    in_person = [c for c in chs if not c.online and c.kind in IN_PERSON_KINDS]
    unclear = [c for c in chs if not c.online and c.kind not in IN_PERSON_KINDS and c.kind != "online"]
    evidence = [ev.channel(c) for c in online + in_person]
    if online and in_person:
        return met(N_("{online} and {in_person}."), evidence=evidence,
                   online=counted(NN_("{count} online channel", "{count} online channels"), len(online)),
                   in_person=counted(NN_("{count} in-person channel", "{count} in-person channels"), len(in_person)))
    lacking = ([] if online else [ONLINE]) + ([] if in_person else [IN_PERSON])
    if unclear:
        return not_enough_data(N_("Whether these channels are in person or online is unknown: {items}."),
                               missing=[ev.channel(c) for c in unclear] + lacking, evidence=evidence,
                               items=", ".join(c.name for c in unclear),
                               next_step=N_("State each channel's kind ('{action:action}': its kind and whether it is online)."),
                               action=OPEN)
    return not_met(N_("The consultation needs at least one online and one in-person channel."),
                   missing=lacking, evidence=evidence, next_step=OPEN_CHANNEL, action=OPEN)


def _marked_channels(f: Facts, marked: list, flag: str, item: Item, found: Msg, unknown: Msg, none: Msg,
                     step: Msg) -> Result:
    """Met by the ``marked`` channels; not enough data while a channel leaves ``flag`` unsaid; not
    met when every channel says no (``found``, ``unknown``: messages naming ``{items}``)."""
    if marked:
        return met(found, evidence=[ev.channel(c) for c in marked], items=", ".join(c.name for c in marked),
                   n=len(marked))
    unclear = [c for c in f.r.channels if getattr(c, flag) is None]
    if unclear:
        return not_enough_data(unknown, missing=[ev.channel(c) for c in unclear],
                               items=", ".join(c.name for c in unclear), next_step=step, action=OPEN)
    return not_met(none, missing=[item], next_step=step, action=OPEN)


def channel_excluded_groups(f: Facts) -> Result:
    if not f.r.channels:
        return not_met(NO_CHANNEL, missing=[FOR_EXCLUDED], next_step=OPEN_CHANNEL, action=OPEN)
    offending = criterion("consultation", "channel_for_excluded_groups").check(f.r)
    aimed = [] if offending else [c for c in f.r.channels if c.aimed_at_excluded]
    return _marked_channels(
        f, aimed, "aimed_at_excluded", FOR_EXCLUDED,
        NN_("Channel aimed at traditionally excluded groups: {items}.",
            "Channels aimed at traditionally excluded groups: {items}.", count="n"),
        N_("Whether these channels are aimed at excluded groups is unknown: {items}."),
        N_("No channel is aimed at traditionally excluded groups."),
        N_("Open an ad hoc channel for excluded groups ('{action:action}', marked as aimed at excluded groups)."))


def open_participation(f: Facts) -> Result:
    if not f.r.channels:
        return not_met(NO_CHANNEL, missing=[OPEN_TO_ALL], next_step=OPEN_CHANNEL, action=OPEN)
    return _marked_channels(
        f, [c for c in f.r.channels if c.open_to_all is True], "open_to_all", OPEN_TO_ALL,
        NN_("Consultation activity open to anyone: {items}.",
            "Consultation activities open to anyone: {items}.", count="n"),
        N_("Whether these channels are open to anyone is unknown: {items}."),
        N_("No consultation activity is open to anyone."),
        N_("Open at least one activity to anyone ('{action:action}', marked as open to anyone)."))


def consultation_period(f: Facts) -> Result:
    days, sectors_needed = f.s["consultation_min_days"], f.s["consultation_min_sectors"]
    chs = f.r.channels
    if not chs:
        return not_met(NO_CHANNEL, missing=[Item("channel", "period", name=N_("the consultation's dates"))],
                       next_step=OPEN_CHANNEL, days=days, action=OPEN)
    undated = [c for c in chs if c.opens_on is None or c.closes_on is None]
    if undated:
        return not_enough_data(N_("Channels without opening or closing dates: {items}."),
                               missing=[ev.channel(c) for c in undated], items=", ".join(c.name for c in undated),
                               next_step=N_("Record each channel's dates."))
    first, last = min(c.opens_on for c in chs), max(c.closes_on for c in chs)
    span = (last - first).days + 1
    sectors = sorted({i.sector for i in f.r.inputs if i.sector})
    details = dict(days=days, span=span, first=first.isoformat(), last=last.isoformat(), need_sectors=sectors_needed)
    evidence = [ev.channel(c) for c in chs] + [ev.sector(s) for s in sectors]
    missing = []
    if span < days:
        missing.append(Item("window", f"{first}/{last}", note=N_("{span} days; {days} required"),
                            fields={"span": span, "days": days}))
    if len(sectors) < sectors_needed:
        missing.append(Item("sectors", "inputs", name=N_("sectors that gave input"),
                            note=NN_("{count} sector gave input; {need} required", "{count} sectors gave input; {need} required"),
                            fields={"count": len(sectors), "need": sectors_needed}))
    if not missing:
        return met(N_("Consultation open {span} days ({first} to {last}); {inputs} from {sectors}."), evidence=evidence,
                   inputs=counted(NN_("{count} input", "{count} inputs"), len(f.r.inputs)),
                   sectors=counted(NN_("{count} sector ({names:sector})", "{count} sectors ({names:sector})"), len(sectors),
                                   names=sectors), **details)
    return not_met(N_("The consultation lasted {span} days with input from {sectors}; {days} days and {need_sectors} sectors are required."),
                   sectors=counted(NN_("{count} sector", "{count} sectors"), len(sectors)),
                   evidence=evidence, missing=missing,
                   next_step=N_("Extend the consultation period and reach more sectors."), **details)


def inputs_documented(f: Facts) -> Result:
    inputs = f.r.inputs
    if not inputs:
        return not_applicable(N_("No input has been received."))
    undated = [i for i in inputs if i.received_on is None]
    if undated:
        ms, total = capped(undated, ev.input_)
        return not_enough_data(N_("Inputs without a reception date: {n}."),
                               missing=ms, missing_total=total, n=total)
    last = max(i.received_on for i in inputs)
    reports = f.docs("consultation_report")
    covering = [d for d in reports if f.day(d.published_at) >= last]
    details = dict(n=len(inputs), last=last.isoformat())
    if covering:
        return met(NN_("The input is documented in the public consultation report (personal data removed).",
                       "All {n} inputs are documented in the public consultation report (personal data removed).", count="n"),
                   evidence=[ev.document(f, d) for d in covering], **details)
    covered_until = max((f.day(d.published_at) for d in reports), default=None)
    pending = [i for i in inputs if covered_until is None or i.received_on > covered_until]
    ms, total = capped(pending, ev.input_)
    return not_met(NN_("{count} input is in no public consultation report.",
                       "{count} inputs are in no public consultation report."),
                   missing=ms, missing_total=total, count=total, evidence=[ev.document(f, d) for d in reports],
                   next_step=N_("Publish the report of inputs without personal data ('{action:action}', kind '{kind:document_kind}')."),
                   action=PUBLISH, kind="consultation_report", **details)


def reasoned_response(f: Facts) -> Result:
    inputs = f.r.inputs
    if not inputs:
        return not_applicable(N_("No input has been received."))
    unanswered_keys = set(criterion("consultation", "every_input_answered").check(f.r))
    plan_at = f.plan_published_at
    unanswered, late, undated, answered = [], [], [], 0
    for i in inputs:
        if i.key in unanswered_keys:
            unanswered.append(i)
            continue
        answered += 1
        when = i.answered_at
        if when is None:
            undated.append(i)
        elif plan_at is not None and when > plan_at:
            late.append(i)
    details = dict(n=len(inputs), answered=answered, plan=f.iso(plan_at) or "-", action="answer_input")
    step = N_("Give every input a reasoned response ('{action:action}': disposition and rationale) before the plan is published.")
    if unanswered or late:
        ms = tuple(ev.input_(i, N_("no reasoned response")) for i in unanswered[:CAP]) + \
            tuple(ev.input_(i, N_("answered after the plan")) for i in late[:CAP])
        total = len(unanswered) + len(late)
        return not_met(N_("Inputs without a reasoned response before the plan: {count} of {n}."),
                       missing=ms[:CAP], missing_total=total, count=total, final=bool(plan_at), next_step=step, **details)
    if undated and plan_at:
        ms, total = capped(undated, ev.input_)
        return not_enough_data(N_("Responses without a date: whether they came before the plan ({plan}) is unknown."),
                               missing=ms, missing_total=total, **details)
    said = (NN_("The input has a disposition and a rationale (before the plan, {plan}).",
                "All {n} inputs have a disposition and a rationale (before the plan, {plan}).", count="n") if plan_at else
            NN_("The input has a disposition and a rationale.", "All {n} inputs have a disposition and a rationale.",
                count="n"))
    return met(said, evidence_total=answered, evidence=[ev.input_(i) for i in inputs[:CAP]], **details)


def non_government_approval(f: Facts) -> Result:
    agreed = f.agreed
    if not agreed:
        return not_applicable(N_("No commitment has been approved yet."))
    decisions = {d.id: d for d in f.r.decisions}
    versions: dict[int, list] = {}
    for v in f.r.commitment_versions:
        versions.setdefault(v.commitment_id, []).append(v)
    unknown, bad, good = [], [], {}
    problems: dict = {}
    for c in agreed:
        vs = versions.get(c.id) or []
        if not vs or any(v.decision_id not in decisions for v in vs):
            unknown.append(ev.commitment(c, N_("no approving decision recorded")))
            continue
        for v in vs:
            d = decisions[v.decision_id]
            if d.id not in problems:  # one decision approves many commitments: judged once
                problems[d.id] = _joint_problem(f, d)
            problem = problems[d.id]
            if problem is None:
                good[d.key] = d
            elif problem == "unknown":
                unknown.append(ev.decision(f, d, N_("tally without members present")))
            else:
                bad.append((c, d, problem))
    evidence = [ev.decision(f, d, N_("non-government present: {sectors:sector}"),
                            sectors=sorted(_non_gov_present(f, d))) for d in good.values()]
    if bad:
        return not_met(N_("Commitments approved without the agreement of non-government members: {items}."),
                       missing=[ev.decision(f, d, why, **fields) for _, d, (why, fields) in bad], evidence=evidence,
                       items="; ".join(sorted({c.title for c, _, _ in bad})), final=True,
                       next_step=N_("Put the commitments to a joint decision with civil society present "
                                    "('{action:action}': {kinds:decision_kind})."),
                       action="propose_decision", kinds=["approve_commitments", "amend_commitment"])
    if unknown:
        return not_enough_data(N_("How some commitments were approved cannot be verified."), missing=unknown, evidence=evidence)
    return met(NN_("The commitment was approved with the agreement of non-government members.",
                   "All {n} commitments were approved with the agreement of non-government members.", count="n"),
               evidence=evidence, n=len(agreed))


def _non_gov_present(f: Facts, d) -> set[str]:
    present = (d.tally or {}).get("present") or []
    return {p.sector for h in present if (p := f.people_by_handle.get(h)) and not f.is_government(p.sector)}


def _joint_problem(f: Facts, d) -> tuple[Msg, dict] | str | None:
    """Why a decision is not a joint one (a message and its fields), "unknown", or None."""
    tally = d.tally or {}
    if d.status != "adopted" or "present" not in tally:
        return "unknown"
    non_gov = _non_gov_present(f, d)
    if not non_gov:
        return N_("approved with no non-government member present"), {}
    if tally.get("rule") == "majority":
        against = sorted(s for s, pos in (tally.get("sectors") or {}).items() if s in non_gov and pos != "for")
        if against:
            return N_("non-government sectors that did not vote for it: {sectors:sector}"), {"sectors": against}
    objecting = [h for h in tally.get("objections") or []
                 if (p := f.people_by_handle.get(h)) and not f.is_government(p.sector)]
    if objecting:
        return N_("with objections from non-government members"), {}
    return None


def relevance(f: Facts) -> Result:
    cs = f.r.commitments
    if not cs:
        return not_applicable(N_("There are no commitments yet."))
    unknown = [c for c in cs if c.axes is None]
    offending = set(criterion("commitments", "commitments_advance_core_value").check(f.r))
    bad = [c for c in cs if c.key in offending and c.axes is not None]
    step = N_("Link every commitment to transparency, civic participation or accountability.")
    if bad:
        return not_met(N_("Commitments advancing neither transparency, participation nor accountability: {items}."),
                       missing=[ev.commitment(c) for c in bad], items="; ".join(c.title for c in bad), next_step=step)
    if unknown:
        return not_enough_data(N_("Commitments without recorded axes: {items}."),
                               missing=[ev.commitment(c) for c in unknown], items="; ".join(c.title for c in unknown), next_step=step)
    return met(NN_("The commitment advances at least one OGP value.",
                   "All {n} commitments advance at least one OGP value.", count="n"),
               evidence=[ev.commitment(c, N_("axes: {axes:axis}"), axes=list(c.axes)) for c in cs], n=len(cs))


TEMPLATE_FIELDS = ("title", "problem", "objective", "outcome", "axes", "end_date", "agencies")
#: The parts of a commitment's template, as a reader names them.
TEMPLATE_NAMES = {
    "title": N_("title"), "problem": N_("problem"), "objective": N_("objective"), "outcome": N_("expected result"),
    "axes": N_("axes"), "end_date": N_("end date"), "agencies": N_("responsible agency"),
    "milestones": N_("milestones"), "baseline": N_("baseline"),
}


def commitment_template(f: Facts) -> Result:
    cs = f.agreed
    if not cs:
        return not_applicable(N_("No commitment has been agreed yet."))
    with_baseline = {i.commitment_id for i in f.r.indicators if (i.baseline or "").strip()}
    gaps, unknown = [], []
    for c in cs:
        acts = f.activities_by_commitment.get(c.id, [])
        missing = empty_fields(c, TEMPLATE_FIELDS)
        if not acts:
            missing.append("milestones")
        elif any(a.start_date is None for a in acts):
            unknown.append(ev.commitment(c, N_("milestones without a start date")))
        if c.id not in with_baseline:
            missing.append("baseline")
        if missing:
            gaps.append(ev.commitment(c, N_("missing: {fields}"), fields=named(TEMPLATE_NAMES, missing)))
    step = N_("Complete the template: problem with baseline, objective, expected result, axes, dates, agency and milestones.")
    if gaps:
        return not_met(N_("Commitments with an incomplete template: {n}."),
                       missing=gaps, n=len(gaps), next_step=step)
    if unknown:
        return not_enough_data(N_("Some commitments' start dates are unknown."),
                               missing=unknown, next_step=step)
    return met(NN_("The commitment has a complete template, with baseline and milestones.",
                   "All {n} commitments have a complete template, with baseline and milestones.", count="n"),
               evidence=[ev.commitment(c) for c in cs], n=len(cs))


def milestones_verifiable(f: Facts) -> Result:
    acts = f.r.activities
    if not acts:
        return not_applicable(N_("No activity (milestone) is planned yet."))
    undated = [a for a in acts if a.start_date is None or a.end_date is None]
    offending = set(criterion("routes", "activities_scheduled_within_term").check(f.r)) - {a.key for a in undated}
    bad = [a for a in acts if a.key in offending or not (a.deliverable or "").strip()]
    step = N_("Every milestone needs a verifiable deliverable, a responsible agency and dates within the term ({start} to {end}).")
    details = dict(start=f.r.process.starts_on.isoformat(), end=f.term_end.isoformat(), n=len(acts))
    if bad:
        ms, total = capped(bad, ev.activity)
        return not_met(NN_("{count} activity without a verifiable deliverable, agency or valid dates.",
                           "{count} activities without a verifiable deliverable, agency or valid dates."),
                       missing=ms, missing_total=total, count=total, next_step=step, **details)
    if undated:
        ms, total = capped(undated, ev.activity)
        return not_enough_data(NN_("{count} activity without dates.", "{count} activities without dates."),
                               missing=ms, missing_total=total, count=total, next_step=step, **details)
    evs, total = capped(acts, ev.activity)
    return met(NN_("The activity has a deliverable, an agency and dates within the term.",
                   "All {n} activities have a deliverable, an agency and dates within the term.", count="n"),
               evidence=evs, evidence_total=total, **details)


def result_indicators(f: Facts) -> Result:
    cs = f.agreed
    if not cs:
        return not_applicable(N_("No commitment has been agreed yet."))
    offending = set(criterion("routes", "every_commitment_has_result_indicator").check(f.r))
    lacking = [c for c in cs if c.key in offending]
    unclear = {i.commitment_id for i in f.r.indicators if i.kind not in ("result", "management")}
    step = N_("Add a result indicator, not only management ones, to every commitment ('{action:action}', "
              "kind '{kind:indicator_kind}').")
    how = dict(action="add_indicator", kind="result")
    results = [i for i in f.r.indicators if i.kind == "result"]
    evidence = [Item("indicator", i.key, note=ev.plain(i.name)) for i in results[:25]]
    if lacking and any(c.id in unclear for c in lacking):
        return not_enough_data(N_("Indicators without a kind (result or management) belong to commitments without a result indicator."),
                               missing=[ev.commitment(c) for c in lacking if c.id in unclear], next_step=step, evidence=evidence,
                               **how)
    if lacking:
        return not_met(N_("Commitments without a result indicator: {items}."),
                       missing=[ev.commitment(c) for c in lacking], items="; ".join(c.title for c in lacking), next_step=step,
                       evidence=evidence, **how)
    return met(N_("Every commitment has at least one result indicator."),
               evidence=evidence, evidence_total=len(results))
