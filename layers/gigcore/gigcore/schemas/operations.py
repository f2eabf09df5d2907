"""The name, the tag and the description of every operation in the OpenAPI document (docs/openapi.json).

Generated clients turn an ``operationId`` into a method name (``client.fundMilestone(...)``), so each one is
chosen here, once, for a person to read; it never changes within a version (``infra.openapi_diff`` fails the
build when one disappears). A route without a name here gets one made from its method and path, and
tests/unit/test_openapi_document.py fails until it has one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operation:
    id: str
    description: str


#: The document's tags, in the order a reader meets them, each with what it groups.
TAGS: dict[str, str] = {
    "auth": "Sign-up, sign-in, tokens, email verification and password reset. Tokens are Bearer JWTs: the access "
            "token lives 15 minutes, the refresh token 30 days and rotates on each use.",
    "users": "The signed-in user's account and freelancer profile, other users' public profiles, and freelancers "
             "near a place.",
    "gigs": "Work a client posts: create, change, cancel, and find open gigs near a place.",
    "applications": "A freelancer applies to a gig; the gig's owner shortlists, rejects or accepts.",
    "contracts": "What an accepted application becomes: the parties, the milestones, and cancelling before money "
                 "moved.",
    "escrow": "Milestone payments held in escrow: fund, submit, release, refund, disputes, the ledger and "
              "invoices. Every money move needs an Idempotency-Key.",
    "chat": "Conversations and messages over REST (the WebSocket API in docs/asyncapi.json carries them live).",
    "notifications": "The in-app feed, delivery preferences and push devices.",
    "reviews": "Each party reviews the other once a contract has ended.",
    "search": "Full-text search of open gigs and freelancers, with filters and distance.",
    "webhooks": "Calls made by Stripe, not by apps.",
    "system": "Health, this document and its reference page.",
}

_C = "/contracts/{contract_id}"
_M = _C + "/milestones/{milestone_id}"

OPERATIONS: dict[str, Operation] = {
    # auth
    "POST /auth/signup": Operation(
        "signUp", "Creates an account with one or both self-service roles and signs it in. A retry with the same "
                  "Idempotency-Key and body signs in to the account the first request created."),
    "POST /auth/login": Operation(
        "logIn", "Signs in with an email and password; answers the user and a new pair of tokens."),
    "POST /auth/refresh": Operation(
        "refreshTokens", "Spends a refresh token and answers its successor with a new access token. Presenting a "
                         "spent refresh token again ends the whole sign-in."),
    "POST /auth/logout": Operation(
        "logOut", "Ends the sign-in the refresh token belongs to; its sockets close at their next frame."),
    "POST /auth/email/verify-request": Operation(
        "requestEmailVerification", "Emails the signed-in user a one-time link to confirm the address."),
    "POST /auth/email/verify": Operation(
        "verifyEmail", "Confirms an email address with the token from the verification email."),
    "POST /auth/password/reset-request": Operation(
        "requestPasswordReset", "Emails a one-time reset token to the address, if an account has it. The answer "
                                "is the same either way, so it tells nobody which addresses have accounts."),
    "POST /auth/password/reset": Operation(
        "resetPassword", "Sets a new password with the token from the reset email; every sign-in of the user ends."),
    # users
    "GET /me": Operation("getMe", "The signed-in user's own account."),
    "PATCH /me": Operation(
        "updateMe", "Changes the signed-in user's name, phone, location or roles; null removes the phone or the "
                    "location."),
    "PUT /me/freelancer-profile": Operation(
        "putFreelancerProfile", "Creates or replaces the signed-in freelancer's profile: what they do, their rate, "
                                "where and how far they travel."),
    "GET /users/{user_id}": Operation("getUser", "Another user's public profile, rating and verifications."),
    "GET /freelancers/nearby": Operation(
        "listNearbyFreelancers", "Freelancers whose service area reaches a point, nearest first, with their distance "
                                 "in kilometres."),
    # gigs
    "POST /gigs": Operation("createGig", "Posts a gig as the signed-in client; it is open to applications at once."),
    "GET /gigs/nearby": Operation(
        "listNearbyGigs", "Open gigs within a radius of a point, nearest first, with their distance in kilometres."),
    "GET /gigs/{gig_id}": Operation("getGig", "A gig by its id."),
    "PATCH /gigs/{gig_id}": Operation(
        "updateGig", "Changes an open gig (its owner only); null removes the location or the deadline."),
    "POST /gigs/{gig_id}/cancel": Operation(
        "cancelGig", "Cancels an open gig (its owner only); its pending applications are rejected."),
    "GET /me/gigs": Operation("listMyGigs", "The gigs the signed-in client posted, newest first."),
    # applications
    "POST /gigs/{gig_id}/applications": Operation(
        "applyToGig", "Applies to an open gig as the signed-in freelancer, with a cover letter and a proposed rate."),
    "GET /gigs/{gig_id}/applications": Operation(
        "listGigApplications", "The applications to a gig (its owner only), newest first."),
    "GET /me/applications": Operation(
        "listMyApplications", "The signed-in freelancer's applications, newest first."),
    "POST /applications/{application_id}/shortlist": Operation(
        "shortlistApplication", "Marks a pending application as shortlisted (the gig's owner)."),
    "POST /applications/{application_id}/reject": Operation(
        "rejectApplication", "Rejects an application (the gig's owner)."),
    "POST /applications/{application_id}/withdraw": Operation(
        "withdrawApplication", "Withdraws the signed-in freelancer's own application."),
    "POST /applications/{application_id}/accept": Operation(
        "acceptApplication", "Accepts an application (the gig's owner): the contract is made with its milestones "
                             "(one for the proposed rate when none are given), the gig moves to in_progress and the "
                             "other applications are rejected."),
    # contracts
    f"GET {_C}": Operation("getContract", "A contract with its milestones (either party, an admin)."),
    "GET /me/contracts": Operation("listMyContracts", "The signed-in user's contracts, as client or freelancer."),
    f"POST {_C}/cancel": Operation(
        "cancelContract", "Cancels a contract before any milestone is paid (either party); the gig opens again or "
                          "is cancelled."),
    # escrow
    "POST /me/payout-account": Operation(
        "createPayoutAccount", "Opens (or finds) the signed-in freelancer's payout account and answers the link "
                               "where they finish onboarding."),
    f"POST {_M}/fund": Operation(
        "fundMilestone", "Charges the client for a milestone into escrow. The answer carries the PaymentIntent's "
                         "client_secret for the app to confirm the payment when it needs the payer (3-D Secure); "
                         "the milestone is funded once the payment succeeds."),
    "POST /payments/{payment_intent_id}/sync": Operation(
        "syncPayment", "Reads a payment's state from Stripe now instead of waiting for its webhook (the payer)."),
    f"POST {_M}/submit": Operation(
        "submitMilestone", "Hands in a funded milestone's work (the freelancer); it is released automatically "
                           "after the review period unless the client acts."),
    f"POST {_M}/release": Operation(
        "releaseMilestone", "Pays a funded or submitted milestone to the freelancer, less the platform fee (the "
                            "client)."),
    f"POST {_M}/refund": Operation(
        "refundMilestone", "Refunds a milestone in part or whole to the client's card (the client before "
                           "submission, an admin at any time)."),
    f"POST {_C}/disputes": Operation(
        "openDispute", "Disputes a milestone (either party); its money stays held until an admin resolves it."),
    "GET /disputes/{dispute_id}": Operation("getDispute", "A dispute and, once resolved, how its money was split."),
    "POST /admin/disputes/{dispute_id}/resolve": Operation(
        "resolveDispute", "Splits a disputed milestone's held money between release and refund (an admin)."),
    f"GET {_C}/ledger": Operation(
        "getContractLedger", "Every double-entry ledger line of a contract and its balances."),
    f"GET {_C}/invoices": Operation(
        "listContractInvoices", "A receipt for each funding, release and refund of a contract, with fee lines."),
    "POST /webhooks/stripe": Operation(
        "receiveStripeEvent", "Stripe's signed events; each is queued before the answer and applied once."),
    # chat
    "POST /conversations": Operation(
        "createConversation", "Starts a conversation with other users, about a gig, a contract or neither; "
                              "when these participants already have that conversation it is answered (200)."),
    "GET /conversations": Operation(
        "listConversations", "The signed-in user's conversations, latest activity first, with unread counts."),
    "GET /conversations/{conversation_id}/messages": Operation(
        "listMessages", "A conversation's messages, newest first; page back with ?before."),
    "POST /conversations/{conversation_id}/messages": Operation(
        "sendMessage", "Sends a message over REST (the socket's sendMessage does the same); a repeated "
                       "client_msg_id stores one message."),
    "POST /conversations/{conversation_id}/attachments": Operation(
        "createAttachmentUpload", "An upload address for a file to attach to a message (PUT the bytes to "
                                  "upload_url, then send attachment_key with the message)."),
    "POST /conversations/{conversation_id}/read": Operation(
        "markConversationRead", "Marks the conversation read up to a message; the other participants are told."),
    # notifications
    "GET /me/notifications": Operation(
        "listNotifications", "The signed-in user's notification feed, newest first, with the unread count."),
    "POST /me/notifications/read": Operation("markNotificationsRead", "Marks some or all notifications read."),
    "GET /me/notification-preferences": Operation(
        "getNotificationPreferences", "Which channels each kind of notification uses, and the quiet hours."),
    "PUT /me/notification-preferences": Operation(
        "putNotificationPreferences", "Replaces the signed-in user's notification preferences."),
    "POST /me/devices": Operation("registerDevice", "Registers a phone's push token for the signed-in user."),
    # reviews
    f"POST {_C}/reviews": Operation(
        "reviewContract", "Reviews the other party of an ended contract; shown once both reviewed or the window "
                          "closed."),
    "GET /users/{user_id}/reviews": Operation("listUserReviews", "The visible reviews of a user, newest first."),
    # search
    "GET /search/gigs": Operation(
        "searchGigs", "Open gigs matching words (typos tolerated) and filters, by relevance, distance or date."),
    "GET /search/freelancers": Operation(
        "searchFreelancers", "Freelancers matching words and filters, by relevance, distance or rating."),
    # system
    "GET /health": Operation(
        "getHealth", "Whether the API and each dependency answer; 503 names the one that is down."),
    "GET /openapi.json": Operation("getOpenApiDocument", "This document."),
    "GET /docs": Operation("getReferencePage", "This document as a page to read in a browser (Redoc)."),
    "GET /docs/redoc.standalone.js": Operation(
        "getReferencePageScript", "The script the reference page runs (Redoc's standalone bundle, MIT licence)."),
}

#: Operations whose success answer is not JSON: its media type.
MEDIA_TYPES: dict[str, str] = {
    "GET /docs": "text/html",
    "GET /docs/redoc.standalone.js": "application/javascript",
}

#: Operations that answer another success besides their own: status -> what it means (same body).
OTHER_SUCCESS: dict[str, dict[int, str]] = {
    "POST /conversations": {200: "The conversation existed already: it is answered as it is."},
}

#: Operations that answer from the deployment package alone: no dependency, so never 503.
STATIC: frozenset[str] = frozenset({"GET /openapi.json", "GET /docs", "GET /docs/redoc.standalone.js"})

#: GETs whose JSON answer is never stored (``Cache-Control: no-store``): no ETag, so no 304.
UNCACHED: frozenset[str] = frozenset({"GET /health"})
