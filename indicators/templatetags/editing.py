from django import template

from ..checklist import checklist

register = template.Library()


@register.inclusion_tag("admin/indicators/_checklist.html", takes_context=True)
def year_checklist(context):
    """The year's checklist on the admin index, for those who enter figures."""
    user = context["request"].user
    if not user.has_perm("indicators.view_result"):
        return {"show": False}
    return {"show": True, "list": checklist(), "limit": 10}
