"""The campaign on top of the counts, split by the question a leader asks: its settings
(``settings``), where it stands in time (``phases``), how it is doing and who is behind
(``standing``), whether it will be ready for the evaluation (``readiness``) and which
problems need chasing (``items``). Pure: frames from ``metrics`` in, figures out; only
``settings`` reads and writes its table.
"""
from .items import OverdueProfile
from .phases import PhaseInfo
from .readiness import PACE_REPORTS, Readiness
from .settings import CampaignSettings, Phase, load_settings, save_settings, setting_help, validate_settings
from .standing import Kpis, Standing

__all__ = ["OverdueProfile", "PhaseInfo", "PACE_REPORTS", "Readiness", "CampaignSettings", "Phase", "load_settings",
           "save_settings", "setting_help", "validate_settings", "Kpis", "Standing"]
