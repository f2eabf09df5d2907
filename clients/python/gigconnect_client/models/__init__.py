"""Contains all the data models used in inputs/outputs"""

from .accept_request import AcceptRequest
from .application_out import ApplicationOut
from .application_out_status import ApplicationOutStatus
from .application_page_out import ApplicationPageOut
from .apply_request import ApplyRequest
from .attachment_out import AttachmentOut
from .attachment_request import AttachmentRequest
from .attachment_request_content_type import AttachmentRequestContentType
from .balances_out import BalancesOut
from .budget_body import BudgetBody
from .budget_body_type import BudgetBodyType
from .budget_out import BudgetOut
from .budget_out_type import BudgetOutType
from .cancel_contract_request import CancelContractRequest
from .cancel_contract_request_gig_status import CancelContractRequestGigStatus
from .channels_body import ChannelsBody
from .charge_money_body import ChargeMoneyBody
from .charge_money_body_currency import ChargeMoneyBodyCurrency
from .contract_out import ContractOut
from .contract_out_status import ContractOutStatus
from .contract_page_out import ContractPageOut
from .conversation_out import ConversationOut
from .conversation_page import ConversationPage
from .create_conversation_request import CreateConversationRequest
from .create_gig_request import CreateGigRequest
from .create_gig_request_urgency import CreateGigRequestUrgency
from .dependencies import Dependencies
from .dependencies_dynamodb import DependenciesDynamodb
from .dependencies_payments import DependenciesPayments
from .dependencies_queue import DependenciesQueue
from .dependencies_search import DependenciesSearch
from .device_request import DeviceRequest
from .device_request_platform import DeviceRequestPlatform
from .dispute_out import DisputeOut
from .dispute_out_status import DisputeOutStatus
from .dispute_request import DisputeRequest
from .error_detail_body import ErrorDetailBody
from .error_envelope import ErrorEnvelope
from .error_info import ErrorInfo
from .freelancer_profile_out import FreelancerProfileOut
from .freelancer_profile_out_availability import FreelancerProfileOutAvailability
from .freelancer_profile_request import FreelancerProfileRequest
from .freelancer_profile_request_availability import (
    FreelancerProfileRequestAvailability,
)
from .fund_out import FundOut
from .fund_request import FundRequest
from .get_open_api_document_response_200 import GetOpenApiDocumentResponse200
from .gig_out import GigOut
from .gig_out_status import GigOutStatus
from .gig_out_urgency import GigOutUrgency
from .gig_page_out import GigPageOut
from .health_response import HealthResponse
from .health_response_status import HealthResponseStatus
from .invoice_line_out import InvoiceLineOut
from .invoice_out import InvoiceOut
from .invoice_out_kind import InvoiceOutKind
from .invoices_out import InvoicesOut
from .ledger_entry_out import LedgerEntryOut
from .ledger_entry_out_credit import LedgerEntryOutCredit
from .ledger_entry_out_debit import LedgerEntryOutDebit
from .ledger_entry_out_kind import LedgerEntryOutKind
from .ledger_out import LedgerOut
from .list_my_gigs_status import ListMyGigsStatus
from .list_nearby_freelancers_availability import ListNearbyFreelancersAvailability
from .list_nearby_freelancers_currency import ListNearbyFreelancersCurrency
from .list_nearby_gigs_currency import ListNearbyGigsCurrency
from .location_body import LocationBody
from .location_out import LocationOut
from .login_request import LoginRequest
from .mark_read_all import MarkReadAll
from .mark_read_ids import MarkReadIds
from .message_out import MessageOut
from .message_page import MessagePage
from .milestone_body import MilestoneBody
from .milestone_out import MilestoneOut
from .milestone_out_status import MilestoneOutStatus
from .money import Money
from .money_body import MoneyBody
from .money_body_currency import MoneyBodyCurrency
from .nearby_freelancer_out import NearbyFreelancerOut
from .nearby_freelancer_out_roles_item import NearbyFreelancerOutRolesItem
from .nearby_freelancer_page_out import NearbyFreelancerPageOut
from .nearby_gig_out import NearbyGigOut
from .nearby_gig_out_status import NearbyGigOutStatus
from .nearby_gig_out_urgency import NearbyGigOutUrgency
from .nearby_gig_page_out import NearbyGigPageOut
from .notification_out import NotificationOut
from .notification_out_data import NotificationOutData
from .notification_out_type import NotificationOutType
from .notification_page import NotificationPage
from .patch_gig_request import PatchGigRequest
from .patch_gig_request_urgency import PatchGigRequestUrgency
from .patch_me_request import PatchMeRequest
from .patch_me_request_roles_item import PatchMeRequestRolesItem
from .payment_out import PaymentOut
from .payment_out_status import PaymentOutStatus
from .payout_account_out import PayoutAccountOut
from .preferences_body import PreferencesBody
from .preferences_body_per_type import PreferencesBodyPerType
from .preferences_body_per_type_additional_property_item import (
    PreferencesBodyPerTypeAdditionalPropertyItem,
)
from .preferences_out import PreferencesOut
from .preferences_out_channels import PreferencesOutChannels
from .preferences_out_per_type import PreferencesOutPerType
from .preferences_out_quiet_hours_type_0 import PreferencesOutQuietHoursType0
from .public_user_out import PublicUserOut
from .public_user_out_roles_item import PublicUserOutRolesItem
from .quiet_hours_body import QuietHoursBody
from .rating import Rating
from .read_request import ReadRequest
from .refresh_request import RefreshRequest
from .refund_request import RefundRequest
from .reset_password_request import ResetPasswordRequest
from .reset_request_request import ResetRequestRequest
from .resolution_out import ResolutionOut
from .resolve_request import ResolveRequest
from .review_out import ReviewOut
from .review_page_out import ReviewPageOut
from .review_request import ReviewRequest
from .search_freelancer_out import SearchFreelancerOut
from .search_freelancer_out_roles_item import SearchFreelancerOutRolesItem
from .search_freelancer_page_out import SearchFreelancerPageOut
from .search_freelancers_availability import SearchFreelancersAvailability
from .search_freelancers_currency import SearchFreelancersCurrency
from .search_freelancers_sort import SearchFreelancersSort
from .search_gig_out import SearchGigOut
from .search_gig_out_status import SearchGigOutStatus
from .search_gig_out_urgency import SearchGigOutUrgency
from .search_gig_page_out import SearchGigPageOut
from .search_gigs_currency import SearchGigsCurrency
from .search_gigs_sort import SearchGigsSort
from .send_message_request import SendMessageRequest
from .session_out import SessionOut
from .signup_request import SignupRequest
from .signup_request_roles_item import SignupRequestRolesItem
from .skill_body import SkillBody
from .skill_body_level import SkillBodyLevel
from .skill_out import SkillOut
from .skill_out_level import SkillOutLevel
from .stripe_event_body import StripeEventBody
from .stripe_event_data_body import StripeEventDataBody
from .stripe_event_object_body import StripeEventObjectBody
from .submit_request import SubmitRequest
from .sync_out import SyncOut
from .tokens_out import TokensOut
from .upload_out import UploadOut
from .user_out import UserOut
from .user_out_roles_item import UserOutRolesItem
from .verified import Verified
from .verified_out import VerifiedOut
from .verify_email_request import VerifyEmailRequest
from .webhook_out import WebhookOut

__all__ = (
    "AcceptRequest",
    "ApplicationOut",
    "ApplicationOutStatus",
    "ApplicationPageOut",
    "ApplyRequest",
    "AttachmentOut",
    "AttachmentRequest",
    "AttachmentRequestContentType",
    "BalancesOut",
    "BudgetBody",
    "BudgetBodyType",
    "BudgetOut",
    "BudgetOutType",
    "CancelContractRequest",
    "CancelContractRequestGigStatus",
    "ChannelsBody",
    "ChargeMoneyBody",
    "ChargeMoneyBodyCurrency",
    "ContractOut",
    "ContractOutStatus",
    "ContractPageOut",
    "ConversationOut",
    "ConversationPage",
    "CreateConversationRequest",
    "CreateGigRequest",
    "CreateGigRequestUrgency",
    "Dependencies",
    "DependenciesDynamodb",
    "DependenciesPayments",
    "DependenciesQueue",
    "DependenciesSearch",
    "DeviceRequest",
    "DeviceRequestPlatform",
    "DisputeOut",
    "DisputeOutStatus",
    "DisputeRequest",
    "ErrorDetailBody",
    "ErrorEnvelope",
    "ErrorInfo",
    "FreelancerProfileOut",
    "FreelancerProfileOutAvailability",
    "FreelancerProfileRequest",
    "FreelancerProfileRequestAvailability",
    "FundOut",
    "FundRequest",
    "GetOpenApiDocumentResponse200",
    "GigOut",
    "GigOutStatus",
    "GigOutUrgency",
    "GigPageOut",
    "HealthResponse",
    "HealthResponseStatus",
    "InvoiceLineOut",
    "InvoiceOut",
    "InvoiceOutKind",
    "InvoicesOut",
    "LedgerEntryOut",
    "LedgerEntryOutCredit",
    "LedgerEntryOutDebit",
    "LedgerEntryOutKind",
    "LedgerOut",
    "ListMyGigsStatus",
    "ListNearbyFreelancersAvailability",
    "ListNearbyFreelancersCurrency",
    "ListNearbyGigsCurrency",
    "LocationBody",
    "LocationOut",
    "LoginRequest",
    "MarkReadAll",
    "MarkReadIds",
    "MessageOut",
    "MessagePage",
    "MilestoneBody",
    "MilestoneOut",
    "MilestoneOutStatus",
    "Money",
    "MoneyBody",
    "MoneyBodyCurrency",
    "NearbyFreelancerOut",
    "NearbyFreelancerOutRolesItem",
    "NearbyFreelancerPageOut",
    "NearbyGigOut",
    "NearbyGigOutStatus",
    "NearbyGigOutUrgency",
    "NearbyGigPageOut",
    "NotificationOut",
    "NotificationOutData",
    "NotificationOutType",
    "NotificationPage",
    "PatchGigRequest",
    "PatchGigRequestUrgency",
    "PatchMeRequest",
    "PatchMeRequestRolesItem",
    "PaymentOut",
    "PaymentOutStatus",
    "PayoutAccountOut",
    "PreferencesBody",
    "PreferencesBodyPerType",
    "PreferencesBodyPerTypeAdditionalPropertyItem",
    "PreferencesOut",
    "PreferencesOutChannels",
    "PreferencesOutPerType",
    "PreferencesOutQuietHoursType0",
    "PublicUserOut",
    "PublicUserOutRolesItem",
    "QuietHoursBody",
    "Rating",
    "ReadRequest",
    "RefreshRequest",
    "RefundRequest",
    "ResetPasswordRequest",
    "ResetRequestRequest",
    "ResolutionOut",
    "ResolveRequest",
    "ReviewOut",
    "ReviewPageOut",
    "ReviewRequest",
    "SearchFreelancerOut",
    "SearchFreelancerOutRolesItem",
    "SearchFreelancerPageOut",
    "SearchFreelancersAvailability",
    "SearchFreelancersCurrency",
    "SearchFreelancersSort",
    "SearchGigOut",
    "SearchGigOutStatus",
    "SearchGigOutUrgency",
    "SearchGigPageOut",
    "SearchGigsCurrency",
    "SearchGigsSort",
    "SendMessageRequest",
    "SessionOut",
    "SignupRequest",
    "SignupRequestRolesItem",
    "SkillBody",
    "SkillBodyLevel",
    "SkillOut",
    "SkillOutLevel",
    "StripeEventBody",
    "StripeEventDataBody",
    "StripeEventObjectBody",
    "SubmitRequest",
    "SyncOut",
    "TokensOut",
    "UploadOut",
    "UserOut",
    "UserOutRolesItem",
    "Verified",
    "VerifiedOut",
    "VerifyEmailRequest",
    "WebhookOut",
)
