"""The public status page's rules: component statuses, the overall indicator, templates and uptime.

Pure: pydantic and the standard library only, and time is always an argument. The renderer
(statuspage_site) and the publish service build on these; the words and enums are Atlassian
Statuspage's, so its v2 JSON can be produced without translation.
"""
