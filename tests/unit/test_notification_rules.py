"""Which channels a notification takes: the user's preferences, quiet hours in their time zone."""

from datetime import UTC, datetime

from gigcore.domain.notifications import Preferences, QuietHours, choose_channels, render

NOON_UTC = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LATE_IN_LAGOS = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # 23:30 in Lagos (UTC+1)


def test_money_events_go_everywhere_by_default():
    assert choose_channels("milestone.funded", Preferences(), has_devices=True, has_phone=True,
                           now=NOON_UTC) == ["push", "email", "sms"]


def test_a_message_goes_by_push_else_email():
    assert choose_channels("message.received", Preferences(), has_devices=True, has_phone=False,
                           now=NOON_UTC) == ["push"]
    assert choose_channels("message.received", Preferences(), has_devices=False, has_phone=False,
                           now=NOON_UTC) == ["email"]


def test_switched_off_channels_and_per_type_choices_win():
    prefs = Preferences(channels={"push": False, "email": True, "sms": True},
                        per_type={"application.received": ["push", "sms"]})
    assert choose_channels("application.received", prefs, has_devices=True, has_phone=True, now=NOON_UTC) == ["sms"]


def test_quiet_hours_over_midnight_hold_back_push_and_sms_only():
    prefs = Preferences(quiet_hours=QuietHours(start="22:00", end="07:00", tz="Africa/Lagos"))
    assert choose_channels("milestone.released", prefs, has_devices=True, has_phone=True,
                           now=LATE_IN_LAGOS) == ["email"]
    assert choose_channels("milestone.released", prefs, has_devices=True, has_phone=True,
                           now=NOON_UTC) == ["push", "email", "sms"]


def test_missing_payload_fields_render_empty_not_a_crash():
    title, body = render("gig.nearby_match", {"gig_title": "Sound mixer"})
    assert title == "A gig near you" and "Sound mixer" in body
