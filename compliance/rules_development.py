"""Rules for the development of the action plan: consultation, reasoned response, joint approval,
and the design of the commitments."""
from __future__ import annotations

import datetime as dt

from i18n import N_, Msg
from stages.base import empty_fields

from . import evidence as ev
from .facts import IN_PERSON_KINDS, Facts, criterion
from .model import (
    CAP,
    Item,
    Result,
    capped,
    met,
    not_applicable,
    not_enough_data,
    not_met,
)

NO_CHANNEL = N_("No consultation channel has been opened.")
OPEN_CHANNEL = N_("Open the consultation channels (open_channel).")


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
    details = dict(days=days, first=first.isoformat(), due=deadline.isoformat())
    timelines = f.docs("timeline")
    on_time = [d for d in timelines if f.day(d.published_at) <= deadline]
    step = N_("Publish the timeline and ways to take part (publish_document, kind 'timeline') by {due}.")
    if on_time:
        return met(N_("The timeline was published on {date}, {days} or more days before the first activity ({first})."),
                   evidence=[ev.document(f, d) for d in on_time], date=f.iso(on_time[0].published_at), **details)
    if f.today <= deadline:
        return not_applicable(N_("The timeline is not published yet; it is due by {due}."), next_step=step, **details)
    return not_met(N_("The timeline was not published {days} days before the first activity ({first})."),
                   evidence=[ev.document(f, d) for d in timelines], missing=[Item("document", "timeline", deadline.isoformat())],
                   final=True, **details)


def outreach(f: Facts) -> Result:
    need = f.s["outreach_min_activities"]
    end = f.consultation_end
    docs = [d for d in f.docs("outreach") if end is None or f.day(d.published_at) <= end]
    details = dict(need=need, count=len(docs), end=end.isoformat() if end else "-")
    step = N_("Record the consultation's outreach activities (publish_document, kind 'outreach').")
    if len(docs) >= need:
        return met(N_("{count} outreach activit(y/ies) before the consultation closed (at least {need})."),
                   evidence=[ev.document(f, d) for d in docs], **details)
    undated = [d for d in f.undated_docs if d.kind == "outreach"]
    if undated:
        return not_enough_data(N_("Some outreach activities are undated."),
                               missing=[Item("document", d.key) for d in undated], next_step=step, **details)
    return not_met(N_("Only {count} outreach activit(y/ies) before the consultation closed; {need} required."),
                   missing=[Item("document", "outreach")], next_step=step, **details)


def channels(f: Facts) -> Result:
    chs = f.r.channels
    if not chs:
        return not_met(NO_CHANNEL, missing=[Item("channel", "online"), Item("channel", "in_person")], next_step=OPEN_CHANNEL)
    online = [c for c in chs if c.online or c.kind == "online"]
    in_person = [c for c in chs if not c.online and c.kind in IN_PERSON_KINDS]
    unclear = [c for c in chs if not c.online and c.kind not in IN_PERSON_KINDS and c.kind != "online"]
    evidence = [ev.channel(c) for c in online + in_person]
    if online and in_person:
        return met(N_("{n_online} online and {n_person} in-person channel(s)."),
                   evidence=evidence, n_online=len(online), n_person=len(in_person))
    lacking = ([] if online else [Item("channel", "online")]) + ([] if in_person else [Item("channel", "in_person")])
    if unclear:
        return not_enough_data(N_("Whether these channels are in person or online is unknown: {items}."),
                               missing=[ev.channel(c) for c in unclear] + lacking, evidence=evidence,
                               items=", ".join(c.key for c in unclear),
                               next_step=N_("State each channel's kind (open_channel: kind, online)."))
    return not_met(N_("The consultation needs at least one online and one in-person channel."),
                   missing=lacking, evidence=evidence, next_step=OPEN_CHANNEL)


def channel_excluded_groups(f: Facts) -> Result:
    if not f.r.channels:
        return not_met(NO_CHANNEL, missing=[Item("channel", "excluded_groups")], next_step=OPEN_CHANNEL)
    offending = criterion("consultation", "channel_for_excluded_groups").check(f.r)
    aimed = [c for c in f.r.channels if c.aimed_at_excluded]
    if not offending:
        return met(N_("Channel(s) aimed at traditionally excluded groups: {items}."),
                   evidence=[ev.channel(c) for c in aimed], items=", ".join(c.key for c in aimed))
    unclear = [c for c in f.r.channels if c.aimed_at_excluded is None]
    step = N_("Open an ad hoc channel for excluded groups (open_channel with aimed_at_excluded).")
    if unclear:
        return not_enough_data(N_("Whether these channels are aimed at excluded groups is unknown: {items}."),
                               missing=[ev.channel(c) for c in unclear], items=", ".join(c.key for c in unclear), next_step=step)
    return not_met(N_("No channel is aimed at traditionally excluded groups."),
                   missing=[Item("channel", "excluded_groups")], next_step=step)


def open_participation(f: Facts) -> Result:
    if not f.r.channels:
        return not_met(NO_CHANNEL, missing=[Item("channel", "open_to_all")], next_step=OPEN_CHANNEL)
    open_ = [c for c in f.r.channels if c.open_to_all is True]
    if open_:
        return met(N_("Consultation activit(y/ies) open to anyone: {items}."),
                   evidence=[ev.channel(c) for c in open_], items=", ".join(c.key for c in open_))
    unclear = [c for c in f.r.channels if c.open_to_all is None]
    step = N_("Open at least one activity to anyone (open_channel with open_to_all).")
    if unclear:
        return not_enough_data(N_("Whether these channels are open to anyone is unknown: {items}."),
                               missing=[ev.channel(c) for c in unclear], items=", ".join(c.key for c in unclear), next_step=step)
    return not_met(N_("No consultation activity is open to anyone."),
                   missing=[Item("channel", "open_to_all")], next_step=step)


def consultation_period(f: Facts) -> Result:
    days, sectors_needed = f.s["consultation_min_days"], f.s["consultation_min_sectors"]
    chs = f.r.channels
    if not chs:
        return not_met(NO_CHANNEL, missing=[Item("channel", "period")], next_step=OPEN_CHANNEL, days=days)
    undated = [c for c in chs if c.opens_on is None or c.closes_on is None]
    if undated:
        return not_enough_data(N_("Channels without opening or closing dates: {items}."),
                               missing=[ev.channel(c) for c in undated], items=", ".join(c.key for c in undated),
                               next_step=N_("Record each channel's dates."))
    first, last = min(c.opens_on for c in chs), max(c.closes_on for c in chs)
    span = (last - first).days + 1
    sectors = sorted({i.sector for i in f.r.inputs if i.sector})
    details = dict(days=days, span=span, first=first.isoformat(), last=last.isoformat(), n_inputs=len(f.r.inputs),
                   n_sectors=len(sectors), sectors=", ".join(sectors), need_sectors=sectors_needed)
    evidence = [ev.channel(c) for c in chs] + [ev.sector(s) for s in sectors]
    missing = []
    if span < days:
        missing.append(Item("window", f"{first}/{last}", note=N_("{span} days; {days} required"),
                            fields={"span": span, "days": days}))
    if len(sectors) < sectors_needed:
        missing.append(Item("sectors", "inputs", note=N_("{n} sector(s) gave input; {need} required"),
                            fields={"n": len(sectors), "need": sectors_needed}))
    if not missing:
        return met(N_("Consultation open {span} days ({first} to {last}); {n_inputs} input(s) from {n_sectors} sectors ({sectors})."),
                   evidence=evidence, **details)
    return not_met(N_("The consultation lasted {span} days with input from {n_sectors} sector(s); {days} days and {need_sectors} sectors are required."),
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
        return met(N_("All {n} inputs are documented in the public consultation report (personal data removed)."),
                   evidence=[ev.document(f, d) for d in covering], **details)
    covered_until = max((f.day(d.published_at) for d in reports), default=None)
    pending = [i for i in inputs if covered_until is None or i.received_on > covered_until]
    ms, total = capped(pending, ev.input_)
    return not_met(N_("{count} input(s) are in no public consultation report."),
                   missing=ms, missing_total=total, count=total, evidence=[ev.document(f, d) for d in reports],
                   next_step=N_("Publish the report of inputs without personal data (publish_document, kind 'consultation_report')."),
                   **details)


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
    details = dict(n=len(inputs), answered=answered, plan=f.iso(plan_at) or "-")
    step = N_("Give every input a reasoned response (answer_input: disposition and rationale) before the plan is published.")
    if unanswered or late:
        ms = tuple(ev.input_(i, N_("no reasoned response")) for i in unanswered[:CAP]) + \
            tuple(ev.input_(i, N_("answered after the plan")) for i in late[:CAP])
        total = len(unanswered) + len(late)
        return not_met(N_("{count} of {n} input(s) without a reasoned response before the plan."),
                       missing=ms[:CAP], missing_total=total, count=total, final=bool(plan_at), next_step=step, **details)
    if undated and plan_at:
        ms, total = capped(undated, ev.input_)
        return not_enough_data(N_("Responses without a date: whether they came before the plan ({plan}) is unknown."),
                               missing=ms, missing_total=total, **details)
    return met(N_("All {n} inputs have a disposition and a rationale{before}."),
               evidence_total=answered, evidence=[ev.input_(i) for i in inputs[:CAP]],
               before=f" (antes del plan, {f.iso(plan_at)})" if plan_at else "", **details)


def non_government_approval(f: Facts) -> Result:
    agreed = f.agreed
    if not agreed:
        return not_applicable(N_("No commitment has been approved yet."))
    decisions = {d.id: d for d in f.r.decisions}
    versions: dict[int, list] = {}
    for v in f.r.commitment_versions:
        versions.setdefault(v.commitment_id, []).append(v)
    unknown, bad, good = [], [], {}
    for c in agreed:
        vs = versions.get(c.id) or []
        if not vs or any(v.decision_id not in decisions for v in vs):
            unknown.append(ev.commitment(c, N_("no approving decision recorded")))
            continue
        for v in vs:
            d = decisions[v.decision_id]
            problem = _joint_problem(f, d)
            if problem is None:
                good[d.key] = d
            elif problem == "unknown":
                unknown.append(ev.decision(f, d, N_("tally without members present")))
            else:
                bad.append((c, d, problem))
    evidence = [ev.decision(f, d, N_("non-government present: {sectors}"),
                            sectors=", ".join(sorted(_non_gov_present(f, d)))) for d in good.values()]
    if bad:
        return not_met(N_("Commitments approved without the agreement of non-government members: {items}."),
                       missing=[ev.decision(f, d, problem) for _, d, problem in bad], evidence=evidence,
                       items=", ".join(sorted({c.key for c, _, _ in bad})), final=True,
                       next_step=N_("Put the commitments to a joint decision with civil society present (amend_commitment / approve_commitments)."))
    if unknown:
        return not_enough_data(N_("How some commitments were approved cannot be verified."), missing=unknown, evidence=evidence)
    return met(N_("All {n} commitments were approved with the agreement of non-government members."),
               evidence=evidence, n=len(agreed))


def _non_gov_present(f: Facts, d) -> set[str]:
    present = (d.tally or {}).get("present") or []
    return {p.sector for h in present if (p := f.people_by_handle.get(h)) and not f.is_government(p.sector)}


def _joint_problem(f: Facts, d) -> Msg | str | None:
    tally = d.tally or {}
    if d.status != "adopted" or "present" not in tally:
        return "unknown"
    non_gov = _non_gov_present(f, d)
    if not non_gov:
        return N_("approved with no non-government member present")
    if tally.get("rule") == "majority":
        against = sorted(s for s, pos in (tally.get("sectors") or {}).items() if s in non_gov and pos != "for")
        if against:
            return N_("non-government sectors that did not vote for it: {sectors}")
    objecting = [h for h in tally.get("objections") or []
                 if (p := f.people_by_handle.get(h)) and not f.is_government(p.sector)]
    if objecting:
        return N_("with objections from non-government members")
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
                       missing=[ev.commitment(c) for c in bad], items=", ".join(c.key for c in bad), next_step=step)
    if unknown:
        return not_enough_data(N_("Commitments without recorded axes: {items}."),
                               missing=[ev.commitment(c) for c in unknown], items=", ".join(c.key for c in unknown), next_step=step)
    return met(N_("All {n} commitments advance at least one OGP value."),
               evidence=[ev.commitment(c, N_("axes: {axes}"), axes=", ".join(c.axes)) for c in cs], n=len(cs))


TEMPLATE_FIELDS = ("title", "problem", "objective", "outcome", "axes", "end_date", "agencies")


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
            gaps.append(ev.commitment(c, N_("missing: {fields}"), fields=", ".join(missing)))
    step = N_("Complete the template: problem with baseline, objective, expected result, axes, dates, agency and milestones.")
    if gaps:
        return not_met(N_("Commitments with an incomplete template: {n}."),
                       missing=gaps, n=len(gaps), next_step=step)
    if unknown:
        return not_enough_data(N_("Some commitments' start dates are unknown."),
                               missing=unknown, next_step=step)
    return met(N_("All {n} commitments have a complete template, with baseline and milestones."),
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
        return not_met(N_("{count} activit(y/ies) without a verifiable deliverable, agency or valid dates."),
                       missing=ms, missing_total=total, count=total, next_step=step, **details)
    if undated:
        ms, total = capped(undated, ev.activity)
        return not_enough_data(N_("{count} activit(y/ies) without dates."),
                               missing=ms, missing_total=total, count=total, next_step=step, **details)
    evs, total = capped(acts, ev.activity)
    return met(N_("All {n} activities have a deliverable, an agency and dates within the term."),
               evidence=evs, evidence_total=total, **details)


def result_indicators(f: Facts) -> Result:
    cs = f.agreed
    if not cs:
        return not_applicable(N_("No commitment has been agreed yet."))
    offending = set(criterion("routes", "every_commitment_has_result_indicator").check(f.r))
    lacking = [c for c in cs if c.key in offending]
    unclear = {i.commitment_id for i in f.r.indicators if i.kind not in ("result", "management")}
    step = N_("Add a result indicator, not only management ones, to every commitment (add_indicator, kind 'result').")
    results = [i for i in f.r.indicators if i.kind == "result"]
    evidence = [Item("indicator", i.key, note=ev.plain(i.name)) for i in results[:25]]
    if lacking and any(c.id in unclear for c in lacking):
        return not_enough_data(N_("Indicators without a kind (result or management) belong to commitments without a result indicator."),
                               missing=[ev.commitment(c) for c in lacking if c.id in unclear], next_step=step, evidence=evidence)
    if lacking:
        return not_met(N_("Commitments without a result indicator: {items}."),
                       missing=[ev.commitment(c) for c in lacking], items=", ".join(c.key for c in lacking), next_step=step,
                       evidence=evidence)
    return met(N_("Every commitment has at least one result indicator."),
               evidence=evidence, evidence_total=len(results))
