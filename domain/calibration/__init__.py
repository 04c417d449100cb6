"""Calibrating the health score on the workspace's own churn history, and backtesting it."""
