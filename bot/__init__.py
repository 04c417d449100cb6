"""csbot: a Slack assistant for Customer Success teams."""
