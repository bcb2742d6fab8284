"""The model's agents. Households are views on the model's arrays; responders are ordinary Mesa agents."""

from agents.cadre import Cadre
from agents.household import Household
from agents.organisation import Organisation
from agents.volunteer import Volunteer

__all__ = ["Household", "Cadre", "Volunteer", "Organisation"]
