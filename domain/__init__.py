"""Customer Success logic: health scoring, account lookup, renewals. Knows nothing of Slack."""
