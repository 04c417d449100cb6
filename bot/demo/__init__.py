"""A ready-made, believable workspace for demos and trying csbot out: team, accounts, usage, renewals."""

from bot.demo.people import DemoPerson
from bot.demo.workspace import DemoWorkspace, build_demo_workspace, write_csv_files

__all__ = ["DemoPerson", "DemoWorkspace", "build_demo_workspace", "write_csv_files"]
