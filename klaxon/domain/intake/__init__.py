"""Intake: PagerDuty Events v2, the sources (Alertmanager and the other webhooks), routing rules, priority."""
