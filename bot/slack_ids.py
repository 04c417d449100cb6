"""Every Slack identifier the app defines, in one place: blocks, listeners and manifest.yml agree."""

COMMAND = "/cs"

# Block actions
SHARE_HEALTH_CARD = "share_health_card"
PICK_HEALTH_ACCOUNT = "pick_health_account"
# Each pick button needs its own action_id inside one actions block: "pick_health_account:<id>".
PICK_HEALTH_ACCOUNT_PATTERN = r"^pick_health_account:\d+$"

# Block ids
HEALTH_ACTIONS_BLOCK = "health_actions"
PICK_ACCOUNT_BLOCK = "pick_account"

# "Show the next 20" under a long listing (/cs renewals, /cs risks, /cs wins); value "<kind>:<arg>:<offset>".
LISTING_MORE = "listing_more"
# The button beside each account on the Home tab; its value is the account's own id.
HOME_OPEN_CARD = "home_open_card"
# The Home tab's own controls: its band and renewal-window menus, its pages, and Acknowledge beside an
# alert (value: the alert's id). The view's private_metadata keeps what was chosen.
HOME_FILTERS_BLOCK = "home_filters"
HOME_PICK_BAND = "home_pick_band"
HOME_PICK_RENEWAL_DAYS = "home_pick_renewal_days"
HOME_PAGE = "home_page"
HOME_PAGE_PATTERN = r"^home_page:(previous|next)$"  # two buttons in one block: "home_page:next"
HOME_ACKNOWLEDGE = "home_acknowledge"
LISTING_PAGE_BLOCK = "listing_page"

# Events the app subscribes to (manifest.yml's bot_events); test_manifest keeps the two in step.
HOME_OPENED = "app_home_opened"
MESSAGE = "message"  # the event type the two message subscriptions below deliver
MESSAGE_EVENTS = ("message.channels", "message.groups")  # public and private channels
BOT_EVENTS = (HOME_OPENED, *MESSAGE_EVENTS)

# Bot scopes manifest.yml asks for; the README says why each is needed. Keep the three in step.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "users:read",
    "users:read.email",
    "usergroups:read",
    "files:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "im:history",
)

# The message metadata every outbox post carries ({"outbox_key": <dedup key>}): after a crash, the
# sender finds in the channel's history whether Slack already has the message before posting it again.
OUTBOX_METADATA_EVENT = "csbot_outbox_message"

# Buttons on renewal reminders and at-risk alerts; values are "<outbox message id>:<item id>".
RENEWAL_MARK_RENEWED = "renewal_mark_renewed"
RENEWAL_FLAG_AT_RISK = "renewal_flag_at_risk"
RENEWAL_SNOOZE = "renewal_snooze"
RENEWAL_TAKE_OWNERSHIP = "renewal_take_ownership"
RENEWAL_ACTIONS = (RENEWAL_MARK_RENEWED, RENEWAL_FLAG_AT_RISK, RENEWAL_SNOOZE, RENEWAL_TAKE_OWNERSHIP)
RISK_ACKNOWLEDGE = "risk_acknowledge"

# /cs ask: buttons that add a missing fact to the question and ask again; /cs playbook topic buttons.
PLAYBOOK_REFINE = "playbook_refine"
PLAYBOOK_REFINE_PATTERN = r"^playbook_refine:\w+$"
PLAYBOOK_TOPIC = "playbook_topic"
PLAYBOOK_TOPIC_PATTERN = r"^playbook_topic:\w+$"

# "Share as customer win": a message shortcut (manifest.yml) and the modal it opens.
SHARE_AS_WIN = "share_as_customer_win"
CUSTOMER_WIN_MODAL = "customer_win_modal"
# The modal's inputs: errors on a submission are keyed by block id, values read by block and action id.
WIN_ACCOUNT_BLOCK = "win_account"
WIN_ACCOUNT_INPUT = "win_account_input"
WIN_STORY_BLOCK = "win_story"
WIN_STORY_INPUT = "win_story_input"
WIN_IMPACT_BLOCK = "win_impact"
WIN_IMPACT_INPUT = "win_impact_input"
