from django import template

from strategy_portal.permissions import may

from ..checklist import checklist
from ..models import Result

register = template.Library()


@register.inclusion_tag("admin/indicators/_checklist.html", takes_context=True)
def year_checklist(context):
    """The year's checklist on the admin index, for those who enter figures."""
    user = context["request"].user
    if not may(user, "view", model=Result):
        return {"show": False}
    return {"show": True, "list": checklist(), "limit": 10}
