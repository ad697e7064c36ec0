from django import template

from govweb.interaction import guard

register = template.Library()


@register.filter
def status_at(obj, now):
    """A consultation's, survey's or interview's phase label at `now`."""
    return obj.status_label(now)


@register.filter
def masked_name(value):
    return guard.mask_name(value)


@register.filter
def masked_phone(value):
    return guard.mask_phone(value)


@register.filter
def masked(value):
    return guard.mask_text(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
