"""Turning domain data into Slack messages: Jinja2 templates for text, Block Kit built in code."""
