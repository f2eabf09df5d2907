"""More of gig matching on fakes (tests/unit/test_matching.py has the rules): what the report says and in which
order the freelancers hear of a gig."""

from __future__ import annotations

from gigcore.services import matching
from tests.unit import test_matching as rules


def test_those_over_their_daily_quota_are_counted_in_the_report():
    ports, policy, queue = rules.setup(rules.freelancer("a", 1.0), rules.freelancer("b", 2.0), per_day=1)
    matching.match_gig(rules.gig_event("G1"), ports=ports, policy=policy, now=rules.NOW)
    ports.quota.claim(["b"], day=rules.NOW.date().isoformat(), gig_id="G-OTHER", limit=2, ttl_epoch=0)
    report = matching.match_gig(rules.gig_event("G2"), ports=ports, policy=policy, now=rules.NOW)
    assert (report.candidates, report.sent, report.over_quota) == (2, 0, 2)
    assert set(rules.matched(queue)) == {"a", "b"}  # from G1 only


def test_the_nearest_freelancers_are_told_first():
    ports, policy, queue = rules.setup(rules.freelancer("far", 4.0), rules.freelancer("near", 1.0),
                                       rules.freelancer("mid", 2.0))
    matching.match_gig(rules.gig_event(), ports=ports, policy=policy, now=rules.NOW)
    assert [body["payload"]["user_id"] for _, body in queue.sent] == ["near", "mid", "far"]
