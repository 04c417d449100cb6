"""Account health: scorecards from configuration, scoring one account on one day, trend and drivers."""
